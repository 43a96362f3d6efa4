using System.Xml;

namespace Missions.Research;

/// <summary>Reads a <c>sitemap.xml</c>: the pages it lists, and the further sitemaps a sitemap index points to.</summary>
public static class SitemapReader
{
    public const int MaxEntries = 10_000;

    public static (IReadOnlyList<string> Pages, IReadOnlyList<string> Sitemaps) Parse(string xml)
    {
        var pages = new List<string>();
        var sitemaps = new List<string>();
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit, // no entity expansion, no external DTDs
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            var inSitemapIndex = false;
            while (reader.Read() && pages.Count + sitemaps.Count < MaxEntries)
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }
                if (reader.LocalName == "sitemapindex")
                {
                    inSitemapIndex = true;
                }
                else if (reader.LocalName == "loc")
                {
                    var loc = reader.ReadElementContentAsString().Trim();
                    if (loc.Length is > 0 and <= PageLimits.MaxUrlChars)
                    {
                        (inSitemapIndex ? sitemaps : pages).Add(loc);
                    }
                }
            }
        }
        catch (XmlException)
        {
            // A broken sitemap gives what was read before the break.
        }
        return (pages, sitemaps);
    }
}
