using System.Diagnostics;
using System.Net.Sockets;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Database;

/// <summary>Runs the real Gerbang binary on its embedded database and stops it the way an operator would.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task On_SIGTERM_Gerbang_stops_serving_and_then_stops_its_embedded_database()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "gerbang-shutdown-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        File.SetUnixFileMode(dataDir, (UnixFileMode)0b111_101_101);
        var port = LoopbackApp.FreePort();
        var start = new ProcessStartInfo("dotnet", [typeof(GerbangApp).Assembly.Location, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["Gerbang__DataDir"] = dataDir, ["Logging__LogLevel__Default"] = "Warning" },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }

                Assert.True(DateTime.UtcNow < deadline, "Gerbang did not become ready");
                await Task.Delay(200);
            }

            // The first start with no configuration prints the local credentials once and keeps them private.
            var credentials = Path.Combine(dataDir, "credentials.txt");
            Assert.True(File.Exists(credentials));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials));
            var pidFile = Path.Combine(dataDir, "postgres", "data", "postmaster.pid");
            Assert.True(File.Exists(pidFile));

            Assert.Equal(0, Kill(process.Id, 15));
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(45));
            await process.WaitForExitAsync(exit.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.False(File.Exists(pidFile), "the embedded database was left running");
            Assert.Contains("test secret key:  sk_test_", await output, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(dataDir, recursive: true);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

}
