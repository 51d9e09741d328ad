using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Api.Http;

/// <summary>
/// Seals secrets Gerbang must be able to use again (webhook signing secrets) with AES-256-GCM under a
/// master key, so the database never holds them in plain text. The key comes from
/// <c>Gerbang:MasterKey</c> (base64, 32 bytes) or, on a local install, a file in the data directory
/// readable only by its owner.
/// </summary>
public sealed class SecretBox
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretBox(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The master key must be 32 bytes.", nameof(key));
        }

        _key = key;
    }

    public static SecretBox FromConfiguration(IConfiguration configuration)
    {
        var configured = configuration["Gerbang:MasterKey"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new SecretBox(Convert.FromBase64String(configured));
        }

        var dataDir = configuration["Gerbang:DataDir"] ?? "./.gerbang";
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, "master.key");
        if (!File.Exists(path))
        {
            PrivateFiles.Write(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), overwrite: false);
        }

        return new SecretBox(Convert.FromBase64String(File.ReadAllText(path).Trim()));
    }

    /// <summary>A key for another purpose (token signing), derived so that it needs no file of its own.</summary>
    public byte[] DeriveKey(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, info: Encoding.UTF8.GetBytes("gerbang:" + purpose));

    public byte[] Seal(string secret) => SealBytes(Encoding.UTF8.GetBytes(secret));

    public string Open(byte[] sealedBytes) => Encoding.UTF8.GetString(OpenBytes(sealedBytes));

    public byte[] SealBytes(ReadOnlySpan<byte> plain)
    {
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize));
        return sealedBytes;
    }

    public byte[] OpenBytes(byte[] sealedBytes)
    {
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain);
        return plain;
    }
}
