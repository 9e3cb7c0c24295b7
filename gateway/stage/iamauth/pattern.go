package iamauth

import "strings"

// pattern is a precompiled IAM resource pattern: * is any run of
// characters (/ and : included), ? is one character; matching is
// case-sensitive, as ARNs are. Most patterns are a literal or a literal
// followed by one *, which match with one comparison.
type pattern struct {
	kind  patternKind
	lit   string   // exact and prefix
	parts []string // general: the pattern split at *, each part may hold ?
	raw   string
}

type patternKind uint8

const (
	patternAny patternKind = iota
	patternExact
	patternPrefix
	patternGeneral
)

func compilePattern(p string) pattern {
	switch {
	case p == "*":
		return pattern{kind: patternAny, raw: p}
	case !strings.ContainsAny(p, "*?"):
		return pattern{kind: patternExact, lit: p, raw: p}
	case strings.IndexAny(p, "*?") == len(p)-1 && p[len(p)-1] == '*':
		return pattern{kind: patternPrefix, lit: p[:len(p)-1], raw: p}
	}
	return pattern{kind: patternGeneral, parts: strings.Split(p, "*"), raw: p}
}

func (p *pattern) match(s string) bool {
	switch p.kind {
	case patternAny:
		return true
	case patternExact:
		return s == p.lit
	case patternPrefix:
		return strings.HasPrefix(s, p.lit)
	}
	return matchParts(p.parts, s)
}

// matchParts matches s against parts joined by *: the first part must
// start s, the last must end it, and the middle ones appear in order in
// between. Taking each middle part's earliest occurrence is optimal for
// patterns whose only wildcards are * and ?-free parts; parts with ? fall
// back to trying every position.
func matchParts(parts []string, s string) bool {
	first, last := parts[0], parts[len(parts)-1]
	if len(parts) == 1 {
		return len(s) == len(first) && hasPrefixQ(s, first)
	}
	if !hasPrefixQ(s, first) {
		return false
	}
	s = s[len(first):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := indexQ(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && hasPrefixQ(s[len(s)-len(last):], last)
}

// hasPrefixQ is strings.HasPrefix where ? in prefix matches any byte.
func hasPrefixQ(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if prefix[i] != '?' && prefix[i] != s[i] {
			return false
		}
	}
	return true
}

// indexQ is strings.Index where ? in sub matches any byte.
func indexQ(s, sub string) int {
	if !strings.Contains(sub, "?") {
		return strings.Index(s, sub)
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixQ(s[i:], sub) {
			return i
		}
	}
	return -1
}

// Match reports whether s matches the IAM pattern p (* and ? wildcards,
// case-sensitive). The control plane uses it to reduce policies to what
// the gateway checks, so both sides read patterns alike.
func Match(p, s string) bool {
	cp := compilePattern(p)
	return cp.match(s)
}
