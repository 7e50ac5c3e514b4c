package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asyncdemo/asyncdemo/demos/testenv"
)

// TestCompletionScripts: asyncdemo completion writes each shell's script,
// one that asks asyncdemo __complete for the words.
func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string][]string{
		"bash": {"complete -o default -F __start_asyncdemo asyncdemo", "__complete"},
		"zsh":  {"#compdef asyncdemo", "compdef _asyncdemo asyncdemo", "__complete"},
		"fish": {"complete -c asyncdemo ", "__complete"},
	} {
		out, errOut, code := runCmd(t, "completion", shell)
		if code != 0 {
			t.Errorf("completion %s: exit %d: %s", shell, code, errOut)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("completion %s: no %q in the script", shell, w)
			}
		}
	}
}

// readmeCompletion returns the README's lines that install the completion
// of each shell, the commands of its block under "# bash", "# zsh" and
// "# fish", and the zsh comment's lines for ~/.zshrc.
func readmeCompletion(t *testing.T) (install map[string][]string, zshrc string) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "\n# bash")
	block, _, _ = strings.Cut(block, "```")
	if !ok {
		t.Fatal("README.md: no completion block starting with # bash")
	}
	install = map[string][]string{}
	shell := "bash"
	for _, line := range strings.Split(block, "\n") {
		switch {
		case strings.HasPrefix(line, "# zsh"):
			shell = "zsh"
			_, rc, _ := strings.Cut(line, "in ~/.zshrc: ")
			zshrc = strings.ReplaceAll(strings.TrimSuffix(strings.TrimSpace(rc), ")"), "; ", "\n")
		case strings.HasPrefix(line, "# fish"):
			shell = "fish"
		case strings.HasPrefix(line, "#"), strings.TrimSpace(line) == "", strings.HasPrefix(line, " "):
		default:
			install[shell] = append(install[shell], line)
		}
	}
	if zshrc == "" || len(install) != 3 {
		t.Fatalf("README.md's completion block: %q, zshrc %q", install, zshrc)
	}
	return install, zshrc
}

// TestCompletionInRealShells installs each shell's completion as the
// README says, in a home of the test's own, starts the shell in tmux as a
// user would, and presses Tab after tour --from and --theme: the lessons,
// and the themes, are offered.
func TestCompletionInRealShells(t *testing.T) {
	bin := binary(t)
	install, zshrc := readmeCompletion(t)
	for _, c := range []struct {
		shell, start string
		rc           string // the shell's start-up file, in the home, and what it holds
		tab          []string
	}{
		// Debian's ~/.bashrc loads bash-completion when it is installed.
		{"bash", "exec bash --rcfile ~/.bashrc -i", ".bashrc\n. /usr/share/bash-completion/bash_completion\nPS1='$ '", []string{"Tab", "Tab"}},
		{"zsh", "exec zsh -i", ".zshrc\n" + zshrc + "\nPS1='$ '", []string{"Tab"}},
		{"fish", "exec fish", ".config/fish/config.fish\nfunction fish_prompt; echo '$ '; end\nset -g fish_greeting", []string{"Tab"}},
	} {
		t.Run(c.shell, func(t *testing.T) {
			testenv.LookPath(t, c.shell, "apt-get install "+c.shell)
			if c.shell == "bash" {
				if _, err := os.Stat("/usr/share/bash-completion/bash_completion"); err != nil {
					testenv.Missing(t, "bash-completion", err.Error(), "apt-get install bash-completion")
				}
			}
			// Not t.TempDir: the shell may still be writing its history
			// there as tmux ends it; this is removed after tmux's end.
			home, err := os.MkdirTemp("", "asyncdemo-home-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				time.Sleep(200 * time.Millisecond)
				os.RemoveAll(home)
			})
			name, rc, _ := strings.Cut(c.rc, "\n")
			if err := os.MkdirAll(filepath.Dir(filepath.Join(home, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(home, name), []byte(rc+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			s := newTmuxSized(t, 120, 40, "HOME="+home, "LANG=C.UTF-8", "PS1=$ ", "TERM=tmux-256color")
			// asyncdemo on the PATH, as an installed one is.
			s.keys("export PATH="+filepath.Dir(bin)+":$PATH; unset XDG_DATA_HOME XDG_CONFIG_HOME", "Enter")
			for _, line := range install[c.shell] {
				s.keys(line, "Enter")
			}
			s.keys("echo installed=$?", "Enter")
			s.waitFor("installed=0", 1)
			s.keys(c.start, "Enter")
			s.keys("clear", "Enter")
			time.Sleep(500 * time.Millisecond)
			for _, q := range []struct{ line, want string }{
				{"asyncdemo tour --from ", "coroutine task callback future await gather nest cancel thread queue sms workers"},
				{"asyncdemo gather --theme ", "auto dark light"},
			} {
				s.keys(q.line)
				s.keys(c.tab...)
				deadline := time.Now().Add(15 * time.Second)
				for {
					screen := s.screen()
					_, offered, _ := strings.Cut(screen, q.line)
					missing := ""
					for _, w := range strings.Fields(q.want) {
						if !strings.Contains(offered, w) {
							missing = w
						}
					}
					if missing == "" {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s: %s<Tab> does not offer %s:\n%s", c.shell, q.line, missing, screen)
					}
					time.Sleep(100 * time.Millisecond)
				}
				s.keys("C-c")
				s.keys("clear", "Enter")
				time.Sleep(300 * time.Millisecond)
			}
		})
	}
}
