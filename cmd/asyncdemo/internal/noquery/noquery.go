// Package noquery keeps asyncdemo from asking the terminal its background
// colour each time it starts. Bubble Tea v1 (the --step view) asks in an
// init function (lipgloss.HasDarkBackground: a query written to the
// terminal and an answer read from it, a round trip on every start, for
// `asyncdemo list` too, that can take keys typed ahead). asyncdemo uses no
// colour that depends on the background, so it says the background is dark
// instead. Go initialises this package before Bubble Tea: its import path
// sorts first and it needs only lipgloss, which Bubble Tea needs too.
package noquery

import "github.com/charmbracelet/lipgloss"

func init() { lipgloss.SetHasDarkBackground(true) }
