package pkgmeta

// tomlDepth estimates the deepest nesting of a TOML document without parsing
// it: open brackets and braces plus the dots of the key being written,
// ignoring strings and comments. It may overcount by one (a float inside an
// array counts as a dotted key) and never undercounts nesting the decoder would build, which is
// what matters for refusing hostile documents before decoding them.
func tomlDepth(data []byte) int {
	var (
		maxDepth, brackets, dots int
		inKey                    = true
	)
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			i-- // let the newline be seen
		case '"', '\'':
			i = skipTOMLString(data, i)
		case '[', '{':
			brackets++
			dots = 0
			inKey = true
		case ']', '}':
			if brackets > 0 {
				brackets--
			}
		case '\n':
			dots = 0
			inKey = true
		case ',':
			dots = 0
			inKey = true
		case '=':
			dots = 0
			inKey = false
		case '.':
			if inKey {
				dots++
			}
		}
		if d := brackets + dots; d > maxDepth {
			maxDepth = d
		}
	}
	return maxDepth
}

// skipTOMLString returns the index of the last byte of the string starting
// at data[i] (a quote), handling basic, literal and multi-line strings.
func skipTOMLString(data []byte, i int) int {
	q := data[i]
	multi := i+2 < len(data) && data[i+1] == q && data[i+2] == q
	if multi {
		for j := i + 3; j+2 < len(data); j++ {
			if q == '"' && data[j] == '\\' {
				j++
				continue
			}
			if data[j] == q && data[j+1] == q && data[j+2] == q {
				return j + 2
			}
		}
		return len(data) - 1
	}
	for j := i + 1; j < len(data); j++ {
		switch {
		case q == '"' && data[j] == '\\':
			j++
		case data[j] == q:
			return j
		case data[j] == '\n':
			return j - 1 // unterminated; the decoder will say so
		}
	}
	return len(data) - 1
}
