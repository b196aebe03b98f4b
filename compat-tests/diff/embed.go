package diff

import "embed"

// Scenarios holds the built-in scenario files, under "scenarios/".
//
//go:embed scenarios/*.zks
var Scenarios embed.FS
