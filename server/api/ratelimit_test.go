package api

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// TestClientKey is a table of who a call counts as for the limits by
// address: IPv4 addresses alone, IPv6 by /64, and x-forwarded-for only
// from trusted proxies.
func TestClientKey(t *testing.T) {
	s := New(Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}})
	for _, tc := range []struct {
		peer, xff, want string
	}{
		{peer: "192.0.2.7:5000", want: "192.0.2.7"},
		{peer: "[2001:db8:1:2:aaaa::1]:5000", want: "2001:db8:1:2::/64"},
		{peer: "[2001:db8:1:2:bbbb::9]:6000", want: "2001:db8:1:2::/64"}, // the same /64
		{peer: "[2001:db8:1:3::1]:5000", want: "2001:db8:1:3::/64"},
		{peer: "[::ffff:192.0.2.7]:5000", want: "192.0.2.7"},
		{peer: "192.0.2.7:5000", xff: "198.51.100.1", want: "192.0.2.7"}, // not a trusted proxy
		{peer: "10.1.2.3:5000", xff: "198.51.100.1", want: "198.51.100.1"},
		{peer: "10.1.2.3:5000", xff: "203.0.113.9, 198.51.100.1, 10.9.9.9", want: "198.51.100.1"}, // the last untrusted hop
		{peer: "10.1.2.3:5000", xff: "2001:db8:5:6::7", want: "2001:db8:5:6::/64"},
		{peer: "10.1.2.3:5000", xff: "not-an-address", want: "10.1.2.3"},
		{peer: "10.1.2.3:5000", want: "10.1.2.3"}, // a trusted proxy that names nobody
	} {
		ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: net.TCPAddrFromAddrPort(netip.MustParseAddrPort(tc.peer))})
		if tc.xff != "" {
			ctx = metadata.NewIncomingContext(ctx, metadata.Pairs("x-forwarded-for", tc.xff))
		}
		if got := s.clientKey(ctx); got != tc.want {
			t.Errorf("peer %s, x-forwarded-for %q: key %q, want %q", tc.peer, tc.xff, got, tc.want)
		}
	}
}
