using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Missions.Log;
using Npgsql;

namespace Missions.Web.People;

/// <summary>
/// Where ASP.NET Core's Data Protection keys live (they sign the sign-in cookie and the antiforgery tokens): in the
/// data directory (<c>keys/</c>) on the embedded default and in standalone mode, in the store in cluster mode — so a
/// restart, or another web frontend, does not sign everyone out.
/// </summary>
public static class KeyStorage
{
    public static IServiceCollection AddMissionsDataProtection(this IServiceCollection services, IConfiguration configuration, string? storeConnectionString)
    {
        var protection = services.AddDataProtection().SetApplicationName("missions");
        if (storeConnectionString is null)
        {
            var options = new MissionsOptions();
            configuration.GetSection("Missions").Bind(options);
            protection.PersistKeysToFileSystem(new DirectoryInfo(options.PathOf(LogFiles.Keys)));
        }
        else
        {
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
                new ConfigureOptions<KeyManagementOptions>(keys => keys.XmlRepository = new StoreKeys(sp.GetRequiredService<NpgsqlDataSource>())));
        }
        return services;
    }

    /// <summary>The keys as rows of <c>data_protection_keys</c> (schema version 2).</summary>
    private sealed class StoreKeys(NpgsqlDataSource db) : IXmlRepository
    {
        private int _ensured;

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            Ensure();
            using var command = db.CreateCommand("SELECT xml FROM data_protection_keys ORDER BY id");
            using var reader = command.ExecuteReader();
            var elements = new List<XElement>();
            while (reader.Read())
            {
                elements.Add(XElement.Parse(reader.GetString(0)));
            }
            return elements;
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            Ensure();
            using var command = db.CreateCommand("INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@name, @xml)");
            command.Parameters.AddWithValue("name", friendlyName);
            command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
            command.ExecuteNonQuery();
        }

        private void Ensure()
        {
            if (Interlocked.Exchange(ref _ensured, 1) == 0)
            {
                global::Missions.PostgreSql.PostgresSchema.EnsureAsync(db).GetAwaiter().GetResult();
            }
        }
    }
}
