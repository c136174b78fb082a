package inspection

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scope says which files a code rule reads.
type scope int

const (
	installTime scope = iota // setup.py and other code run while building or installing
	anyCode                  // every .py file
)

// codeRule is one pattern to look for in Python source.
type codeRule struct {
	id       string
	severity Severity
	scope    scope
	title    string
	message  string // %s: the file
	re       *regexp.Regexp
}

var codeRules = []codeRule{
	{"exec-encoded-payload", High, anyCode, "Encoded payload passed to exec or eval",
		"%s decodes data and hands it to exec/eval: the code that runs is hidden from a reader.",
		regexp.MustCompile(`\b(?:exec|eval)\s*\(\s*(?:[\w.]+\.)?(?:b64decode|b32decode|b16decode|b85decode|a85decode|decompress|unhexlify|fromhex|loads|decode|rot13|compile\s*\(\s*(?:[\w.]+\.)?(?:b64decode|decompress))`)},
	{"encoded-blob", Medium, anyCode, "Large encoded blob in code",
		"%s holds a long base64 or hex string literal, a common way to hide a payload.",
		regexp.MustCompile(`["'](?:[A-Za-z0-9+/]{400,}={0,2}|(?:\\x[0-9a-fA-F]{2}){150,})["']`)},
	{"install-time-network", High, installTime, "Network access at install time",
		"%s reaches the network while the package is built or installed.",
		regexp.MustCompile(`\b(?:urlopen|urlretrieve|urllib\.request|urllib2|requests\.(?:get|post|put|request|Session)|http\.client|httpx\.|socket\.socket|socket\.create_connection|ftplib|smtplib|paramiko)\b`)},
	{"install-time-process", Medium, installTime, "Runs programs at install time",
		"%s starts other programs while the package is built or installed.",
		regexp.MustCompile(`\b(?:subprocess\.(?:Popen|run|call|check_call|check_output|getoutput)|os\.(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?)|pty\.spawn|commands\.getoutput)\s*\(`)},
	{"install-time-pip", High, installTime, "Installs packages at install time",
		"%s runs pip itself while being installed, bypassing the declared dependencies.",
		regexp.MustCompile(`\bpip\.main\s*\(|['"]pip['"]\s*,\s*['"]install['"]|pip install `)},
	{"credential-paths", High, installTime, "Touches credentials or shell start-up files at install time",
		"%s names credential files or start-up files (SSH keys, cloud credentials, .pypirc, shell rc files, cron).",
		regexp.MustCompile(`\.ssh/|id_rsa|id_ed25519|\.aws/credentials|\.pypirc|\.netrc|\.git-credentials|\.docker/config\.json|/etc/shadow|\.bashrc|\.bash_profile|\.zshrc|\.profile\b|crontab|/etc/cron|systemd/system|\.config/autostart|Local Storage/leveldb`)},
	{"credential-paths-code", Low, anyCode, "Names credential files",
		"%s names credential files (SSH keys, cloud credentials, .pypirc, .netrc).",
		regexp.MustCompile(`\.ssh/id_|\.aws/credentials|\.pypirc|\.git-credentials|Local Storage/leveldb`)},
	{"obfuscation", Medium, anyCode, "Obfuscated code",
		"%s builds names or code from characters at run time, which hides what it does.",
		regexp.MustCompile(`getattr\s*\(\s*__builtins__|__import__\s*\(\s*['"](?:base64|zlib|marshal|socket|subprocess|os)['"]\s*\)\s*\.|(?:chr\s*\(\s*\d+\s*\)\s*\+\s*){4,}|''\.join\s*\(\s*(?:map\s*\(\s*)?chr\b|\\x[0-9a-fA-F]{2}(?:\\x[0-9a-fA-F]{2}){40,}`)},
	{"custom-install-command", Low, installTime, "Overrides the install command",
		"%s replaces setuptools' install/develop/egg_info command with its own code.",
		regexp.MustCompile(`cmdclass\s*=\s*\{[^}]*['"](?:install|develop|egg_info|build_py|bdist_wheel)['"]`)},
}

// Limits bound what Scan reads.
type Limits struct {
	MaxFileBytes int64 // larger files are noted and not read
	MaxFiles     int
	MaxLineBytes int
}

// DefaultLimits reads files up to 4 MiB, 20,000 files, lines up to 1 MiB.
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 4 << 20, MaxFiles: 20000, MaxLineBytes: 1 << 20}
}

// ScanStats says what Scan read and what it passed over.
type ScanStats struct {
	Files   int      `json:"files"`
	Skipped []string `json:"skipped,omitempty"`
}

// Scan reads the Python files and .pth files of a source tree and returns what looks suspicious.
// Links are not followed; nothing is executed.
func Scan(root string, lim Limits) ([]Finding, ScanStats, error) {
	var findings []Finding
	var stats ScanStats
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Type()&fs.ModeSymlink != 0 || !d.Type().IsRegular() {
			return nil
		}
		name := d.Name()
		isPy, isPth := strings.HasSuffix(name, ".py"), strings.HasSuffix(name, ".pth")
		if !isPy && !isPth {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		shown := Display(rel)
		if stats.Files >= lim.MaxFiles {
			stats.Skipped = append(stats.Skipped, shown+": file limit reached")
			return filepath.SkipAll
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > lim.MaxFileBytes {
			stats.Skipped = append(stats.Skipped, fmt.Sprintf("%s: %d bytes, over the %d byte limit", shown, info.Size(), lim.MaxFileBytes))
			return nil
		}
		stats.Files++
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if isPth {
			if fd := scanPth(f, shown, lim); fd != nil {
				findings = append(findings, *fd)
			}
			return nil
		}
		fs, err := scanPython(f, shown, isInstallTime(rel), lim)
		findings = append(findings, fs...)
		return err
	})
	if err != nil {
		return findings, stats, fmt.Errorf("scanning %s: %w", root, err)
	}
	return findings, stats, nil
}

// isInstallTime reports whether the file runs when the package is built or installed.
func isInstallTime(rel string) bool {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	base := parts[len(parts)-1]
	// setup.py at the top of the sdist (below its name-version/ directory, or at the root).
	return base == "setup.py" && len(parts) <= 2
}

func scanPython(r io.Reader, shown string, installTimeFile bool, lim Limits) ([]Finding, error) {
	byRule := map[string]*Finding{}
	var order []string
	br := bufio.NewReaderSize(r, 64*1024)
	for lineNo := 1; ; lineNo++ {
		line, err := readLine(br, lim.MaxLineBytes)
		if len(line) > 0 {
			for _, rule := range codeRules {
				if rule.scope == installTime && !installTimeFile {
					continue
				}
				loc := rule.re.FindIndex(line)
				if loc == nil {
					continue
				}
				if f, ok := byRule[rule.id]; ok {
					f.Count++
					continue
				}
				byRule[rule.id] = &Finding{RuleID: rule.id, Severity: rule.severity, Title: rule.title,
					Message: fmt.Sprintf(rule.message, shown), File: shown, Line: lineNo,
					Snippet: snippet(line, loc[0]), Count: 1}
				order = append(order, rule.id)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]Finding, 0, len(order))
	for _, id := range order {
		out = append(out, *byRule[id])
	}
	return out, nil
}

// scanPth reports a .pth file with a line that site.py executes (one starting with "import").
func scanPth(r io.Reader, shown string, lim Limits) *Finding {
	br := bufio.NewReaderSize(r, 64*1024)
	for lineNo := 1; ; lineNo++ {
		line, err := readLine(br, lim.MaxLineBytes)
		if strings.HasPrefix(string(line), "import ") || strings.HasPrefix(string(line), "import\t") {
			return &Finding{RuleID: "pth-with-code", Severity: High, Title: ".pth file with code",
				Message: fmt.Sprintf("%s runs code at every start of Python in any environment it is installed into.", shown),
				File:    shown, Line: lineNo, Snippet: snippet(line, 0), Count: 1}
		}
		if err != nil {
			return nil
		}
	}
}

// readLine returns the next line without its newline, cut at max bytes (the rest of a longer line
// is read and dropped).
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(line) < max {
			room := max - len(line)
			if len(chunk) > room {
				chunk = chunk[:room]
			}
			line = append(line, chunk...)
		}
		if err != nil {
			return line, err
		}
		if !isPrefix {
			return line, nil
		}
	}
}

// snippet is up to 160 characters around offset, shown safely.
func snippet(line []byte, offset int) string {
	start := max(0, offset-40)
	end := min(len(line), start+160)
	s := string(line[start:end])
	if start > 0 {
		s = "…" + s
	}
	if end < len(line) {
		s += "…"
	}
	return Display(strings.TrimSpace(s))
}

// Display shows a name or text a package controls: valid, printable UTF-8 as it is; anything else
// (control or bidi characters, invalid bytes) escaped.
func Display(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u200b' {
			return strconv.Quote(s)
		}
	}
	return s
}
