namespace Gerbang.Api;

/// <summary>
/// Files that hold secrets (the master key, the embedded database's password, local credentials):
/// readable and writable by Gerbang's user alone from their first byte (never created at the
/// default umask and narrowed later), written whole under another name and then renamed into place.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="path"/>, replacing it unless <paramref name="overwrite"/> is false (then false if it exists).</summary>
    public static bool Write(string path, string text, bool overwrite = true)
    {
        var part = path + "." + Guid.NewGuid().ToString("N") + ".part";
        using (var stream = new FileStream(part, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Mode }))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }

        try
        {
            File.Move(part, path, overwrite);
            return true;
        }
        catch (IOException) when (!overwrite && File.Exists(path))
        {
            // Another instance wrote it first: theirs stands.
            File.Delete(part);
            return false;
        }
    }
}
