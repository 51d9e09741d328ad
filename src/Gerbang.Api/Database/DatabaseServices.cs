using Npgsql;

namespace Gerbang.Api.Database;

public static class DatabaseServices
{
    /// <summary>
    /// Uses <c>ConnectionStrings:Gerbang</c> when set; otherwise starts (or reuses) the embedded cluster
    /// under <c>Gerbang:DataDir</c>, which is stopped when the host stops.
    /// </summary>
    public static async Task AddGerbangDatabaseAsync(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("Gerbang");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            var embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
            {
                DataDir = builder.Configuration["Gerbang:DataDir"] ?? "./.gerbang",
                BinDir = builder.Configuration["Gerbang:PostgresBinDir"],
            });
            builder.Services.AddSingleton(embedded);
            builder.Services.AddHostedService<EmbeddedPostgresLifetime>();
            connectionString = embedded.ConnectionString;
        }

        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        if (!csb.ContainsKey("Maximum Pool Size") || csb.MaxPoolSize == 100)
        {
            csb.MaxPoolSize = builder.Configuration.GetValue("Gerbang:Database:MaxPoolSize", 60);
        }

        csb.ApplicationName ??= "gerbang";

        // The same few statements run on every request: let Npgsql prepare them once per connection.
        if (csb.MaxAutoPrepare == 0)
        {
            csb.MaxAutoPrepare = 64;
            csb.AutoPrepareMinUsages = 2;
        }

        // Transactions leave no session state behind (settings are transaction-local), so a returned
        // connection needs no reset.
        csb.NoResetOnClose = true;
        // Registered by factory so that the container owns and disposes them: a stopped host leaves no pool open.
        var poolConnectionString = csb.ConnectionString;
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(poolConnectionString).Build());

        builder.Services.AddSingleton<Migrator>();
    }
}

/// <summary>
/// Registered before every other hosted service, so it is stopped last: the embedded database goes
/// down only after the workers and the server have finished.
/// </summary>
internal sealed class EmbeddedPostgresLifetime(EmbeddedPostgres postgres, NpgsqlDataSource dataSource) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await dataSource.DisposeAsync();
        await postgres.StopAsync(CancellationToken.None);
    }
}
