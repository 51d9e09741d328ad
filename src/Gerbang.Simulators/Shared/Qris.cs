using System.Globalization;
using System.Text;

namespace Gerbang.Simulators.Shared;

/// <summary>
/// Builds QRIS payloads as EMVCo merchant-presented QR strings: tag-length-value fields ending in a
/// CRC16/CCITT-FALSE checksum (tag 63) over everything before it, the checksum's own tag included.
/// </summary>
public static class Qris
{
    public static string Build(string merchantName, string city, long amount, string reference)
    {
        var sb = new StringBuilder();
        Field(sb, "00", "01");
        Field(sb, "01", "12"); // dynamic: one payment
        Field(sb, "26", Sub("00", "ID.CO.QRIS.WWW") + Sub("01", "936000140000000001") + Sub("02", "ID1020000000001") + Sub("03", "UMI"));
        Field(sb, "52", "5999");
        Field(sb, "53", "360");
        Field(sb, "54", amount.ToString(CultureInfo.InvariantCulture));
        Field(sb, "58", "ID");
        Field(sb, "59", Clip(merchantName, 25));
        Field(sb, "60", Clip(city, 15));
        Field(sb, "62", Sub("05", Clip(reference, 25)));
        sb.Append("6304");
        sb.Append(Crc16(sb.ToString()).ToString("X4", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>True when the payload's trailing CRC matches its content.</summary>
    public static bool HasValidCrc(string payload) =>
        payload.Length > 8
        && payload[^8..^4] == "6304"
        && string.Equals(payload[^4..], Crc16(payload[..^4]).ToString("X4", CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public static ushort Crc16(string text)
    {
        ushort crc = 0xFFFF;
        foreach (var b in Encoding.ASCII.GetBytes(text))
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc;
    }

    private static string Sub(string tag, string value) => tag + value.Length.ToString("D2", CultureInfo.InvariantCulture) + value;

    private static void Field(StringBuilder sb, string tag, string value) => sb.Append(Sub(tag, value));

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..max];
}
