using System.Text;
using Gerbang.Api.Merchants;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>
/// The first admin. With <c>Gerbang:BootstrapAdmin:Email/Password</c>, that <c>super_admin</c> is
/// created when no admin exists. With no configuration at all, a local admin and a demo merchant are
/// created and their credentials printed once to the console and written to a file only the owner
/// can read; they are never logged.
/// </summary>
public sealed partial class AdminBootstrap(NpgsqlDataSource dataSource, MerchantService merchants, IConfiguration configuration, TimeProvider timeProvider, ILogger<AdminBootstrap> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using (var any = dataSource.CreateCommand("select exists (select 1 from admins)"))
        {
            if ((bool)(await any.ExecuteScalarAsync(cancellationToken))!)
            {
                return;
            }
        }

        var email = configuration["Gerbang:BootstrapAdmin:Email"];
        var password = configuration["Gerbang:BootstrapAdmin:Password"];
        var iterations = configuration.GetValue("Gerbang:PasswordIterations", PasswordHasher.DefaultIterations);
        if (!string.IsNullOrWhiteSpace(email))
        {
            if (password is null || password.Length < PasswordHasher.MinLength)
            {
                throw new InvalidOperationException($"Gerbang:BootstrapAdmin:Password must be at least {PasswordHasher.MinLength} characters.");
            }

            await InsertAdminAsync(email, password, iterations, cancellationToken);
            LogBootstrapped(logger, email);
            return;
        }

        var localPassword = Ids.RandomBase62(20);
        const string localEmail = "admin@localhost";
        await InsertAdminAsync(localEmail, localPassword, iterations, cancellationToken);
        var (merchant, key) = await merchants.CreateAsync("Demo Merchant", null, cancellationToken);
        var text = new StringBuilder()
            .AppendLine("Gerbang local credentials (shown once; also saved to credentials.txt in the data directory):")
            .AppendLine($"  admin email:      {localEmail}")
            .AppendLine($"  admin password:   {localPassword}")
            .AppendLine($"  demo merchant:    {merchant.Id}")
            .AppendLine($"  test secret key:  {key}")
            .ToString();
        var dataDir = configuration["Gerbang:DataDir"] ?? "./.gerbang";
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, "credentials.txt");
        PrivateFiles.Write(path, text);
        await Console.Out.WriteLineAsync(text);
    }

    private async Task InsertAdminAsync(string email, string password, int iterations, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await using var cmd = dataSource.CreateCommand("""
            insert into admins (id, email, password_hash, role, created_at, updated_at) values ($1, $2, $3, 'super_admin', $4, $4)
            on conflict do nothing
            """);
        cmd.Parameters.Add(new() { Value = Ids.New(Ids.Admin) });
        cmd.Parameters.Add(new() { Value = email });
        cmd.Parameters.Add(new() { Value = PasswordHasher.Hash(password, iterations) });
        cmd.Parameters.Add(new() { Value = now });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Created the bootstrap super_admin {Email}")]
    private static partial void LogBootstrapped(ILogger logger, string email);
}
