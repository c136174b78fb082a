// Package humanize writes quantities for people to read: sizes in binary units.
package humanize

import "fmt"

// Bytes is n bytes in B, KiB, MiB or GiB, with one decimal past bytes: "512 B", "1.5 KiB".
func Bytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
}
