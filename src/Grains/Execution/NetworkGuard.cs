using System.Net;
using System.Net.Sockets;

namespace Missions.Execution;

/// <summary>
/// Keeps missions off loopback, private, link-local and metadata addresses. The check is made on the addresses
/// a name resolves to, at connect time, so neither a DNS name nor a redirect can lead around it.
/// </summary>
public static class NetworkGuard
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)      // carrier-grade NAT
                || (b[0] == 169 && b[1] == 254)                    // link-local, cloud metadata
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))     // benchmarking
                || b[0] >= 224);                                   // multicast, reserved
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            if (EmbeddedIPv4(b) is { } embedded)
            {
                return IsPublic(embedded);
            }
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                          // unique local fc00::/7
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)); // documentation
        }
        return false;
    }

    /// <summary>
    /// The IPv4 host an IPv6 address leads to, when it embeds one: NAT64 <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>,
    /// IPv4-compatible <c>::/96</c> and Teredo <c>2001::/32</c> (its client, obfuscated). Local-use NAT64
    /// <c>64:ff9b:1::/48</c> may embed any private address at a prefix-dependent place: it gives 0.0.0.0, never public.
    /// </summary>
    private static IPAddress? EmbeddedIPv4(byte[] b)
    {
        static IPAddress V4(byte[] b, int at, byte xor = 0) =>
            new([(byte)(b[at] ^ xor), (byte)(b[at + 1] ^ xor), (byte)(b[at + 2] ^ xor), (byte)(b[at + 3] ^ xor)]);
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B)
        {
            var wellKnown = b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;
            var localUse = b[4] == 0x00 && b[5] == 0x01;
            return wellKnown ? V4(b, 12) : localUse ? IPAddress.Any : null;
        }
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return V4(b, 2);
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
        {
            return V4(b, 12, 0xFF);
        }
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            return V4(b, 12); // ::a.b.c.d (and :: and ::1, which are refused as 0.0.0.0 and 0.0.0.1)
        }
        return null;
    }

    /// <summary>A connect callback for <see cref="SocketsHttpHandler"/> that refuses non-public addresses.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(bool allowPrivateNetworks) =>
        async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            var usable = allowPrivateNetworks ? addresses : addresses.Where(IsPublic).ToArray();
            if (usable.Length == 0)
            {
                throw new BlockedAddressException(addresses.Length == 0
                    ? $"{host} does not resolve to any address."
                    : $"{host} resolves to a private, loopback or link-local address, which missions may not reach.");
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(usable, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
