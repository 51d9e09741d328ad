using System.Xml.Linq;
using Gerbang.Api.Http;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Gerbang.Api.Dashboard;

/// <summary>
/// Keeps the data-protection key ring in PostgreSQL, sealed with the master key, so that every
/// instance behind a load balancer reads the same dashboard cookies and anti-forgery tokens, and a
/// restart signs nobody out.
/// </summary>
public sealed class SealedKeyRepository(NpgsqlDataSource dataSource, SecretBox box) : IXmlRepository
{
    // The framework calls this interface synchronously, rarely (start-up and key rotation).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var cmd = dataSource.CreateCommand("select xml_sealed from data_protection_keys order by created_at, name");
        using var reader = cmd.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(box.Open((byte[])reader[0])));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var cmd = dataSource.CreateCommand("insert into data_protection_keys (name, xml_sealed) values ($1, $2) on conflict (name) do nothing");
        cmd.Parameters.Add(new() { Value = friendlyName });
        cmd.Parameters.Add(new() { Value = box.Seal(element.ToString(SaveOptions.DisableFormatting)) });
        cmd.ExecuteNonQuery();
    }
}
