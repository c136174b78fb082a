package pypi

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// blockedRange is one address range the SSRF guard refuses by default.
type blockedRange struct {
	prefix netip.Prefix
	why    string
}

var blockedRanges = func() []blockedRange {
	raw := []struct{ cidr, why string }{
		{"0.0.0.0/8", "unspecified (\"this network\") address"},
		{"127.0.0.0/8", "loopback address"},
		{"10.0.0.0/8", "private address"},
		{"172.16.0.0/12", "private address"},
		{"192.168.0.0/16", "private address"},
		{"100.64.0.0/10", "carrier-grade NAT address"},
		{"169.254.169.254/32", "cloud metadata address"},
		{"169.254.0.0/16", "link-local address"},
		{"224.0.0.0/4", "multicast address"},
		{"255.255.255.255/32", "broadcast address"},
		{"::/128", "unspecified address"},
		{"::1/128", "loopback address"},
		{"fc00::/7", "private (unique local) address"},
		{"fe80::/10", "link-local address"},
		{"fd00:ec2::254/128", "cloud metadata address"},
		{"ff00::/8", "multicast address"},
	}
	out := make([]blockedRange, 0, len(raw))
	for _, r := range raw {
		out = append(out, blockedRange{netip.MustParsePrefix(r.cidr), r.why})
	}
	return out
}()

// classifyAddr says why addr is refused, or "" when it is a public address.
func classifyAddr(addr netip.Addr) string {
	addr = addr.Unmap()
	for _, r := range blockedRanges {
		if r.prefix.Contains(addr) {
			return r.why
		}
	}
	return ""
}

// RefusedAddressError is returned (wrapped) when the SSRF guard refuses a
// connection; errors.Is(err, ErrRefusedAddress) holds.
type RefusedAddressError struct {
	Address string // ip:port as dialled
	Reason  string // e.g. "loopback address"
}

func (e *RefusedAddressError) Error() string {
	return fmt.Sprintf("refused to connect to %s (%s): loopback, private, link-local, CGNAT and cloud metadata addresses are blocked; "+
		"to use an index there, allow private addresses explicitly (pypi.Options.AllowPrivate or AllowedNetworks)", e.Address, e.Reason)
}

// Is makes errors.Is(err, ErrRefusedAddress) true.
func (e *RefusedAddressError) Is(target error) bool { return target == ErrRefusedAddress }

// lastDialCheck, when set (only by this package's tests), runs after the
// guard on every dial; the tests use it to make sure that no connection
// ever leaves loopback, even if the guard were broken.
var lastDialCheck func(address string) error

// dialGuard returns a net.Dialer Control function that checks the resolved
// address of every connection the client makes, so redirects and DNS
// answers pointing inside are refused as well as literal addresses.
func dialGuard(allowPrivate bool, allowed []netip.Prefix) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if err := guardAddress(allowPrivate, allowed, address); err != nil {
			return err
		}
		if lastDialCheck != nil {
			return lastDialCheck(address)
		}
		return nil
	}
}

// guardAddress refuses a non-public address unless allowed.
func guardAddress(allowPrivate bool, allowed []netip.Prefix, address string) error {
	if allowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		host, _, splitErr := net.SplitHostPort(address)
		if splitErr != nil {
			return &RefusedAddressError{Address: address, Reason: "unparsable address"}
		}
		a, perr := netip.ParseAddr(host)
		if perr != nil {
			return &RefusedAddressError{Address: address, Reason: "unparsable address"}
		}
		ap = netip.AddrPortFrom(a, 0)
	}
	a := ap.Addr().Unmap()
	for _, p := range allowed {
		if p.Contains(a) {
			return nil
		}
	}
	if why := classifyAddr(a); why != "" {
		return &RefusedAddressError{Address: address, Reason: why}
	}
	return nil
}
