using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Gerbang.Providers;

/// <summary>
/// The bytes a provider signed, assembled in a pooled buffer (text as UTF-8, raw bytes as they came),
/// so verifying a notification allocates nothing on the managed heap. Dispose returns the buffer.
/// </summary>
internal ref struct SignedText
{
    private byte[] _buffer;
    private int _length;

    public SignedText(int capacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 256));
        _length = 0;
    }

    public readonly ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, _length);

    public void Append(scoped ReadOnlySpan<char> text)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void Append(char c)
    {
        Ensure(4);
        _length += Encoding.UTF8.GetBytes([c], _buffer.AsSpan(_length));
    }

    public void Append(long value)
    {
        Ensure(20);
        value.TryFormat(_buffer.AsSpan(_length), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null!;
        }
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}

/// <summary>Comparisons of a presented signature (hex or base64 text) with computed bytes, in constant time and without allocating.</summary>
internal static class Presented
{
    public static bool HexEquals(ReadOnlySpan<char> presented, ReadOnlySpan<byte> expected)
    {
        Span<byte> decoded = stackalloc byte[64];
        return presented.Length == expected.Length * 2 && expected.Length <= decoded.Length
            && Convert.FromHexString(presented, decoded, out _, out var written) == OperationStatus.Done
            && CryptographicOperations.FixedTimeEquals(decoded[..written], expected);
    }

    public static bool Base64Equals(ReadOnlySpan<char> presented, ReadOnlySpan<byte> expected)
    {
        Span<byte> decoded = stackalloc byte[96];
        return presented.Length <= 128
            && Convert.TryFromBase64Chars(presented, decoded, out var written)
            && CryptographicOperations.FixedTimeEquals(decoded[..written], expected);
    }

    /// <summary>A secret as UTF-8 key bytes, in <paramref name="scratch"/> when it fits.</summary>
    public static ReadOnlySpan<byte> Key(string secret, Span<byte> scratch) =>
        Encoding.UTF8.GetMaxByteCount(secret.Length) <= scratch.Length
            ? scratch[..Encoding.UTF8.GetBytes(secret, scratch)]
            : Encoding.UTF8.GetBytes(secret);
}
