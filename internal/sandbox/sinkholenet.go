package sandbox

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The launcher's half of the sinkhole: it runs as root in the run's fresh network namespace
// (root in the host's user namespace, or in one of its own), before anything untrusted exists,
// and with raw system calls only (see runLauncher).

// nftPaths are where nftables' command is looked for.
var nftPaths = []string{"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", "/bin/nft"}

// FindNft returns the path of nftables' nft command, which the sinkhole needs.
func FindNft() (string, error) {
	for _, p := range nftPaths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New("nft not found: apt-get install nftables (the sandbox's network sinkhole needs it)")
}

// sinkholeRules is the nftables ruleset of the run's network namespace: every TCP connection
// and UDP datagram to SinkholePrefix goes to the init's sinkhole port, and no packet leaves
// through any device but loopback (there is none, and must never be).
func sinkholeRules() string {
	return strings.Join([]string{
		"add table ip pyti_sinkhole",
		"add chain ip pyti_sinkhole out { type nat hook output priority -100 ; }",
		fmt.Sprintf("add rule ip pyti_sinkhole out ip daddr %s meta l4proto { tcp, udp } redirect to :%d", SinkholePrefix, sinkholePort),
		"add table inet pyti_guard",
		"add chain inet pyti_guard out { type filter hook output priority 0 ; policy accept ; }",
		`add rule inet pyti_guard out oifname != "lo" drop`,
	}, " ; ")
}

// setupSinkhole makes SinkholePrefix local to the namespace, installs the rules and binds the
// sinkhole's sockets on their fixed descriptors.
func setupSinkhole() error {
	if err := addLocalRoute(); err != nil {
		return fmt.Errorf("sinkhole route: %w", err)
	}
	nft, err := FindNft()
	if err != nil {
		return err
	}
	if err := runQuiet(nft, sinkholeRules()); err != nil {
		return fmt.Errorf("sinkhole rules: %w", err)
	}
	if err := bindAt(fdSinkTCP, unix.SOCK_STREAM, sinkholePort); err != nil {
		return err
	}
	return bindAt(fdSinkUDP, unix.SOCK_DGRAM, sinkholePort)
}

// runQuiet runs path with one argument and returns its output as the error when it fails.
func runQuiet(path, arg string) error {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("pipe: %w", err)
	}
	defer unix.Close(p[0])
	pid, err := syscall.ForkExec(path, []string{path, arg}, &syscall.ProcAttr{
		Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, Files: []uintptr{0, uintptr(p[1]), uintptr(p[1])},
	})
	unix.Close(p[1])
	if err != nil {
		return fmt.Errorf("start %s: %w", path, err)
	}
	var out []byte
	buf := make([]byte, 4096)
	for len(out) < 64<<10 {
		n, err := unix.Read(p[0], buf)
		if n > 0 {
			out = append(out, buf[:n]...)
		}
		if err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			break
		}
	}
	var ws syscall.WaitStatus
	for {
		_, err = syscall.Wait4(pid, &ws, 0, nil)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("wait %s: %w", path, err)
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		return fmt.Errorf("%s: %v: %s", path, ws, strings.TrimSpace(string(out)))
	}
	return nil
}

// addLocalRoute adds "local SinkholePrefix dev lo" to the namespace's local table (rtnetlink),
// so that a connection to any sinkhole address is delivered inside the namespace.
func addLocalRoute() error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink: %w", err)
	}
	defer unix.Close(fd)
	lo, err := ifIndex("lo")
	if err != nil {
		return err
	}
	dst := SinkholePrefix.Addr().As4()
	attr := func(typ uint16, data []byte) []byte {
		b := make([]byte, unix.SizeofRtAttr, unix.SizeofRtAttr+len(data))
		binary.NativeEndian.PutUint16(b[0:2], uint16(unix.SizeofRtAttr+len(data)))
		binary.NativeEndian.PutUint16(b[2:4], typ)
		return append(b, data...)
	}
	oif := binary.NativeEndian.AppendUint32(nil, uint32(lo))
	rtm := []byte{
		unix.AF_INET, byte(SinkholePrefix.Bits()), 0, 0, // family, dst_len, src_len, tos
		unix.RT_TABLE_LOCAL, unix.RTPROT_BOOT, unix.RT_SCOPE_HOST, unix.RTN_LOCAL, // table, protocol, scope, type
		0, 0, 0, 0, // flags
	}
	body := append(append(rtm, attr(unix.RTA_DST, dst[:])...), attr(unix.RTA_OIF, oif)...)
	msg := make([]byte, unix.SizeofNlMsghdr, unix.SizeofNlMsghdr+len(body))
	binary.NativeEndian.PutUint32(msg[0:4], uint32(unix.SizeofNlMsghdr+len(body)))
	binary.NativeEndian.PutUint16(msg[4:6], unix.RTM_NEWROUTE)
	binary.NativeEndian.PutUint16(msg[6:8], unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	binary.NativeEndian.PutUint32(msg[8:12], 1) // sequence
	msg = append(msg, body...)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("netlink send: %w", err)
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return fmt.Errorf("netlink receive: %w", err)
	}
	if n < unix.SizeofNlMsghdr+4 || binary.NativeEndian.Uint16(buf[4:6]) != unix.NLMSG_ERROR {
		return errors.New("netlink: no acknowledgement")
	}
	if code := int32(binary.NativeEndian.Uint32(buf[16:20])); code != 0 {
		return fmt.Errorf("netlink: %w", syscall.Errno(-code))
	}
	return nil
}

// ifIndex returns the index of the named interface.
func ifIndex(name string) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("interface %s: %w", name, err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, fmt.Errorf("interface %s: %w", name, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, fmt.Errorf("interface %s: %w", name, err)
	}
	return int(ifr.Uint32()), nil
}
