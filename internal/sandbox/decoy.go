package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Canary is the marker every decoy credential carries. A read of a decoy is a finding; the
// marker seen anywhere else (an upload, a DNS name, a file outside HOME) is evidence of theft.
const Canary = "PYTI-CANARY-7f3a9c"

// User is the sandbox user's login name, in USER and LOGNAME as a login session and a CI runner
// set them: code that asks who runs it (getpass.getuser(), a test that expects HOME to end with
// the user's name) finds an answer, as on any machine its maintainers run it on.
const User = "pyti"

// Home is the sandbox user's HOME, a fresh tmpfs per run.
const Home = "/home/" + User

// SandboxUID and SandboxGID are the unprivileged ids the untrusted code runs as.
const (
	SandboxUID = 1000
	SandboxGID = 1000
)

// Decoy is one fake credential file in the sandbox HOME.
type Decoy struct {
	Path    string      // absolute path inside the sandbox
	Mode    os.FileMode // file mode
	Content string
}

// decoyFiles are the fake credentials and shell files written into every sandbox HOME.
var decoyFiles = []Decoy{
	{Home + "/.ssh/id_rsa", 0o600, "-----BEGIN OPENSSH PRIVATE KEY-----\n" + Canary + "-ssh-key-not-real\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\n-----END OPENSSH PRIVATE KEY-----\n"},
	{Home + "/.ssh/id_rsa.pub", 0o644, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + Canary + " pyti@decoy\n"},
	{Home + "/.ssh/known_hosts", 0o644, "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA" + Canary + "\n"},
	{Home + "/.aws/credentials", 0o600, "[default]\naws_access_key_id = AKIA" + Canary + "\naws_secret_access_key = " + Canary + "-aws-secret\n"},
	{Home + "/.aws/config", 0o600, "[default]\nregion = us-east-1\n# " + Canary + "\n"},
	{Home + "/.config/gcloud/application_default_credentials.json", 0o600, `{"type":"authorized_user","client_id":"` + Canary + `.apps.googleusercontent.com","client_secret":"` + Canary + `","refresh_token":"1//` + Canary + `"}` + "\n"},
	{Home + "/.pypirc", 0o600, "[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = pypi-" + Canary + "\n"},
	{Home + "/.netrc", 0o600, "machine pypi.org login __token__ password pypi-" + Canary + "\nmachine github.com login pyti password ghp_" + Canary + "\n"},
	{Home + "/.git-credentials", 0o600, "https://pyti:ghp_" + Canary + "@github.com\n"},
	{Home + "/.docker/config.json", 0o600, `{"auths":{"https://index.docker.io/v1/":{"auth":"` + Canary + `"}}}` + "\n"},
	{Home + "/.kube/config", 0o600, "apiVersion: v1\nkind: Config\nusers:\n- name: pyti\n  user:\n    token: " + Canary + "\n"},
	{Home + "/.bashrc", 0o644, "# " + Canary + " decoy bashrc\nexport PS1='$ '\n"},
	{Home + "/.profile", 0o644, "# " + Canary + " decoy profile\n"},
	{Home + "/.gitconfig", 0o644, "[user]\n\tname = PYTI Decoy\n\temail = decoy@" + Canary + ".invalid\n"},
}

// decoyEnv are the fake token variables in every sandbox environment.
var decoyEnv = map[string]string{
	"AWS_ACCESS_KEY_ID":     "AKIA" + Canary,
	"AWS_SECRET_ACCESS_KEY": Canary + "-aws-secret",
	"AWS_SESSION_TOKEN":     Canary + "-aws-session",
	"GITHUB_TOKEN":          "ghp_" + Canary,
	"GH_TOKEN":              "ghp_" + Canary,
	"PYPI_TOKEN":            "pypi-" + Canary,
	"TWINE_PASSWORD":        "pypi-" + Canary,
	"NPM_TOKEN":             "npm_" + Canary,
	"GOOGLE_API_KEY":        "AIza" + Canary,
	"OPENAI_API_KEY":        "sk-" + Canary,
	"SLACK_TOKEN":           "xoxb-" + Canary,
}

// DecoyFiles returns the decoy files written into every sandbox HOME.
func DecoyFiles() []Decoy { return append([]Decoy(nil), decoyFiles...) }

// DecoyPaths returns the absolute paths (inside the sandbox) of every decoy file, sorted.
func DecoyPaths() []string {
	out := make([]string, 0, len(decoyFiles))
	for _, d := range decoyFiles {
		out = append(out, d.Path)
	}
	sort.Strings(out)
	return out
}

// DecoyEnvNames returns the names of the decoy token variables, sorted.
func DecoyEnvNames() []string {
	out := make([]string, 0, len(decoyEnv))
	for k := range decoyEnv {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DecoyEnv returns the decoy variables as KEY=VALUE, sorted by name.
func DecoyEnv() []string {
	out := make([]string, 0, len(decoyEnv))
	for _, k := range DecoyEnvNames() {
		out = append(out, k+"="+decoyEnv[k])
	}
	return out
}

// writeDecoys creates the decoy files below root (root stands for "/"; the init passes "/").
func writeDecoys(root string) error {
	for _, d := range decoyFiles {
		p := filepath.Join(root, d.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return fmt.Errorf("decoy dir for %s: %w", d.Path, err)
		}
		if err := os.WriteFile(p, []byte(d.Content), d.Mode); err != nil {
			return fmt.Errorf("decoy %s: %w", d.Path, err)
		}
	}
	return nil
}

// SearchPath is the PATH of every sandboxed command, unless its Spec.Env sets another.
const SearchPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"

// Shell is the sandbox user's login shell, in its passwd entry and in SHELL.
const Shell = "/bin/sh"

// BaseEnv is the clean environment of every sandboxed command, before Spec.Env. SHELL is set, as
// a login gives it: without it bash looks the user up in /etc/passwd at every start (distro
// 1.8.0's tests run 46 fake lsb_release scripts, each a low "/etc/passwd read" finding).
func BaseEnv() []string {
	env := []string{
		"PATH=" + SearchPath,
		"HOME=" + Home,
		"USER=" + User,
		"LOGNAME=" + User,
		"SHELL=" + Shell,
		"LANG=C.UTF-8",
		"TMPDIR=/tmp",
	}
	return append(env, DecoyEnv()...)
}

// MergeEnv returns base with every KEY=VALUE of add applied (a later entry wins), in a stable order.
func MergeEnv(base, add []string) []string {
	idx := map[string]int{}
	var out []string
	for _, kv := range append(append([]string(nil), base...), add...) {
		k := kv
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				k = kv[:i]
				break
			}
		}
		if i, ok := idx[k]; ok {
			out[i] = kv
			continue
		}
		idx[k] = len(out)
		out = append(out, kv)
	}
	return out
}
