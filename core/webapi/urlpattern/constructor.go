package urlpattern

// This file is the standard's constructor string parser: it splits a
// pattern string such as "https://*.example.com/:id?q=*" into the
// components of a URLPatternInit, on the lenient tokenizer's tokens.

type csState uint8

const (
	csInit csState = iota
	csProtocol
	csAuthority
	csUsername
	csPassword
	csHostname
	csPort
	csPathname
	csSearch
	csHash
	csDone
)

// stateComponent maps the states that produce a component to it.
var stateComponent = map[csState]Component{
	csProtocol: cProtocol, csUsername: cUsername, csPassword: cPassword, csHostname: cHostname,
	csPort: cPort, csPathname: cPathname, csSearch: cSearch, csHash: cHash,
}

type constructorParser struct {
	input                  []rune
	tokens                 []token
	result                 initRec
	componentStart         int
	tokenIndex             int
	tokenIncrement         int
	groupDepth             int
	ipv6BracketDepth       int
	protocolMatchesSpecial bool
	state                  csState
}

// parseConstructorString is "parse a constructor string".
func parseConstructorString(input string) (initRec, error) {
	runes := []rune(input)
	tokens, err := tokenize(runes, false)
	if err != nil {
		return initRec{}, err
	}
	p := &constructorParser{input: runes, tokens: tokens, tokenIncrement: 1}
	for p.tokenIndex < len(p.tokens) {
		p.tokenIncrement = 1
		if p.tokens[p.tokenIndex].typ == tokEnd {
			if p.state == csInit {
				p.rewind()
				switch {
				case p.isHashPrefix():
					p.changeState(csHash, 1)
				case p.isSearchPrefix():
					p.changeState(csSearch, 1)
				default:
					p.changeState(csPathname, 0)
				}
				p.tokenIndex += p.tokenIncrement
				continue
			}
			if p.state == csAuthority {
				p.rewindAndSetState(csHostname)
				p.tokenIndex += p.tokenIncrement
				continue
			}
			p.changeState(csDone, 0)
			break
		}
		if p.isGroupOpen() {
			p.groupDepth++
			p.tokenIndex += p.tokenIncrement
			continue
		}
		if p.groupDepth > 0 {
			if p.isGroupClose() {
				p.groupDepth--
			} else {
				p.tokenIndex += p.tokenIncrement
				continue
			}
		}
		switch p.state {
		case csInit:
			if p.isProtocolSuffix() {
				p.rewindAndSetState(csProtocol)
			}
		case csProtocol:
			if p.isProtocolSuffix() {
				if err := p.computeProtocolMatchesSpecial(); err != nil {
					return initRec{}, err
				}
				next, skip := csPathname, 1
				if p.nextIsAuthoritySlashes() {
					next, skip = csAuthority, 3
				} else if p.protocolMatchesSpecial {
					next = csAuthority
				}
				p.changeState(next, skip)
			}
		case csAuthority:
			if p.isIdentityTerminator() {
				p.rewindAndSetState(csUsername)
			} else if p.isPathnameStart() || p.isSearchPrefix() || p.isHashPrefix() {
				p.rewindAndSetState(csHostname)
			}
		case csUsername:
			if p.isPasswordPrefix() {
				p.changeState(csPassword, 1)
			} else if p.isIdentityTerminator() {
				p.changeState(csHostname, 1)
			}
		case csPassword:
			if p.isIdentityTerminator() {
				p.changeState(csHostname, 1)
			}
		case csHostname:
			switch {
			case p.isIPv6Open():
				p.ipv6BracketDepth++
			case p.isIPv6Close():
				p.ipv6BracketDepth--
			case p.isPortPrefix() && p.ipv6BracketDepth == 0:
				p.changeState(csPort, 1)
			case p.isPathnameStart():
				p.changeState(csPathname, 0)
			case p.isSearchPrefix():
				p.changeState(csSearch, 1)
			case p.isHashPrefix():
				p.changeState(csHash, 1)
			}
		case csPort:
			switch {
			case p.isPathnameStart():
				p.changeState(csPathname, 0)
			case p.isSearchPrefix():
				p.changeState(csSearch, 1)
			case p.isHashPrefix():
				p.changeState(csHash, 1)
			}
		case csPathname:
			if p.isSearchPrefix() {
				p.changeState(csSearch, 1)
			} else if p.isHashPrefix() {
				p.changeState(csHash, 1)
			}
		case csSearch:
			if p.isHashPrefix() {
				p.changeState(csHash, 1)
			}
		}
		p.tokenIndex += p.tokenIncrement
	}
	if p.result.present(cHostname) && !p.result.present(cPort) {
		p.result.set(cPort, "")
	}
	return p.result, nil
}

func (p *constructorParser) changeState(next csState, skip int) {
	switch p.state {
	case csInit, csAuthority, csDone:
	default:
		p.result.set(stateComponent[p.state], p.makeComponentString())
	}
	if p.state != csInit && next != csDone {
		before := func(states ...csState) bool {
			for _, s := range states {
				if p.state == s {
					return true
				}
			}
			return false
		}
		if before(csProtocol, csAuthority, csUsername, csPassword) &&
			(next == csPort || next == csPathname || next == csSearch || next == csHash) &&
			!p.result.present(cHostname) {
			p.result.set(cHostname, "")
		}
		if before(csProtocol, csAuthority, csUsername, csPassword, csHostname, csPort) &&
			(next == csSearch || next == csHash) && !p.result.present(cPathname) {
			if p.protocolMatchesSpecial {
				p.result.set(cPathname, "/")
			} else {
				p.result.set(cPathname, "")
			}
		}
		if before(csProtocol, csAuthority, csUsername, csPassword, csHostname, csPort, csPathname) &&
			next == csHash && !p.result.present(cSearch) {
			p.result.set(cSearch, "")
		}
	}
	p.state = next
	p.tokenIndex += skip
	p.componentStart = p.tokenIndex
	p.tokenIncrement = 0
}

func (p *constructorParser) rewind() {
	p.tokenIndex = p.componentStart
	p.tokenIncrement = 0
}

func (p *constructorParser) rewindAndSetState(s csState) {
	p.rewind()
	p.state = s
}

// safeToken is "get a safe token": the end token past the end.
func (p *constructorParser) safeToken(i int) *token {
	if i < len(p.tokens) {
		return &p.tokens[i]
	}
	return &p.tokens[len(p.tokens)-1]
}

func (p *constructorParser) isNonSpecialPatternChar(i int, v string) bool {
	t := p.safeToken(i)
	if t.value != v {
		return false
	}
	return t.typ == tokChar || t.typ == tokEscapedChar || t.typ == tokInvalidChar
}

func (p *constructorParser) isProtocolSuffix() bool {
	return p.isNonSpecialPatternChar(p.tokenIndex, ":")
}

func (p *constructorParser) nextIsAuthoritySlashes() bool {
	return p.isNonSpecialPatternChar(p.tokenIndex+1, "/") && p.isNonSpecialPatternChar(p.tokenIndex+2, "/")
}

func (p *constructorParser) isIdentityTerminator() bool {
	return p.isNonSpecialPatternChar(p.tokenIndex, "@")
}

func (p *constructorParser) isPasswordPrefix() bool {
	return p.isNonSpecialPatternChar(p.tokenIndex, ":")
}

func (p *constructorParser) isPortPrefix() bool {
	return p.isNonSpecialPatternChar(p.tokenIndex, ":")
}

func (p *constructorParser) isPathnameStart() bool {
	return p.isNonSpecialPatternChar(p.tokenIndex, "/")
}

func (p *constructorParser) isSearchPrefix() bool {
	if p.isNonSpecialPatternChar(p.tokenIndex, "?") {
		return true
	}
	if p.tokens[p.tokenIndex].value != "?" {
		return false
	}
	prev := p.tokenIndex - 1
	if prev < 0 {
		return true
	}
	switch p.safeToken(prev).typ {
	case tokName, tokRegexp, tokClose, tokAsterisk:
		return false
	}
	return true
}

func (p *constructorParser) isHashPrefix() bool {
	return p.isNonSpecialPatternChar(p.tokenIndex, "#")
}

func (p *constructorParser) isGroupOpen() bool { return p.tokens[p.tokenIndex].typ == tokOpen }

func (p *constructorParser) isGroupClose() bool { return p.tokens[p.tokenIndex].typ == tokClose }

func (p *constructorParser) isIPv6Open() bool {
	return p.isNonSpecialPatternChar(p.tokenIndex, "[")
}

func (p *constructorParser) isIPv6Close() bool {
	return p.isNonSpecialPatternChar(p.tokenIndex, "]")
}

// makeComponentString is "make a component string": the input from the
// component's first token up to the current token.
func (p *constructorParser) makeComponentString() string {
	end := p.tokens[p.tokenIndex].index
	start := p.safeToken(p.componentStart).index
	return string(p.input[start:end])
}

// computeProtocolMatchesSpecial compiles the protocol seen so far and
// records whether it matches a special scheme.
func (p *constructorParser) computeProtocolMatchesSpecial() error {
	c, err := compileComponent(p.makeComponentString(), canonProtocol, defaultOptions)
	if err != nil {
		return err
	}
	p.protocolMatchesSpecial = c.matchesSpecialScheme()
	return nil
}
