using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gerbang.Api.Mail;

/// <summary><c>Gerbang:Mail</c>: where outgoing mail is left for the machine's mail system to send.</summary>
public sealed class MailOptions
{
    public const string Section = "Gerbang:Mail";

    /// <summary>
    /// A pickup directory: each message is one RFC 5322 <c>.eml</c> file, readable only by Gerbang's
    /// user, for an MTA (or an operator in development) to send. Default <c>{DataDir}/mail</c>.
    /// </summary>
    public string? PickupDirectory { get; set; }

    public string From { get; set; } = "Gerbang <no-reply@gerbang.invalid>";
}

/// <summary>Leaves messages in the pickup directory, each file private from its first byte and written whole.</summary>
public sealed class MailPickup(IOptions<MailOptions> options, IConfiguration configuration, TimeProvider clock)
{
    public string Directory => options.Value.PickupDirectory ?? Path.Combine(configuration["Gerbang:DataDir"] ?? "./.gerbang", "mail");

    public Task SendAsync(string to, string subject, string body, CancellationToken cancellationToken)
    {
        if (to.AsSpan().IndexOfAny('\r', '\n') >= 0 || subject.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("A mail header cannot hold a line break.");
        }

        var directory = Path.GetFullPath(Directory);
        System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var now = clock.GetUtcNow();
        var id = Guid.NewGuid().ToString("N");
        var message = new StringBuilder()
            .Append("From: ").Append(options.Value.From).Append("\r\n")
            .Append("To: ").Append(to).Append("\r\n")
            .Append("Subject: ").Append(subject).Append("\r\n")
            .Append("Date: ").Append(now.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Message-ID: <").Append(id).Append("@gerbang>\r\n")
            .Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
            .Append(body.ReplaceLineEndings("\r\n"))
            .ToString();
        // Named to sort in the order written: to the tenth of a microsecond, as two messages a millisecond apart are common.
        PrivateFiles.Write(Path.Combine(directory, $"{now:yyyyMMddHHmmssfffffff}-{id}.eml"), message, overwrite: false);
        return Task.CompletedTask;
    }
}
