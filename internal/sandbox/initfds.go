package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
)

// The descriptors PYTI's init expects to find open when it starts, exported for a backend whose
// init cannot inherit them from the host launcher: under runsc the init runs on gVisor's kernel,
// where no host socket or pipe but stdio can be handed in, so the backend's own in-sandbox stage
// places them (the report channel, the resolver and bridge sockets bound on the sandbox's
// loopback) and then execs InitPath.
const (
	InitReportFD = fdReport  // init -> host JSON lines (DNS queries, exit status)
	InitDNSUDPFD = fdDNSUDP  // 127.0.0.1:53/udp
	InitDNSTCPFD = fdDNSTCP  // 127.0.0.1:53/tcp, listening
	InitIndexFD  = fdIndex   // 127.0.0.1:IndexPort/tcp, listening
	InitSinkTCP  = fdSinkTCP // 127.0.0.1:9/tcp, listening, where the sinkhole rule redirects
	InitSinkUDP  = fdSinkUDP // 127.0.0.1:9/udp
)

// ReportError writes msg on a report channel (the writer Supervise reads as fd 4 of the
// launcher's command) as an infrastructure error, the way the launcher and the init report
// theirs: Supervise shows it when the run ends without the command's exit status.
func ReportError(w io.Writer, msg string) error {
	b, err := json.Marshal(report{Error: msg})
	if err != nil {
		return fmt.Errorf("sandbox: encode report: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("sandbox: write report: %w", err)
	}
	return nil
}
