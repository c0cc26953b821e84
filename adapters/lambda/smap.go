package lambdaadapter

import (
	"encoding/json"
	"fmt"
	"strings"
)

// engineSourceMap turns the bundle's standard source map into the one goja
// reads. goja looks positions up with a 1-based column and reports the
// original column as stored, so core/bundle hands it a copy whose generated
// and original columns are 1-based (see bundle.sourceMap.gojaConsumer). The
// artifact ships that copy, made here at build time, so the Lambda init only
// parses it; sourcesContent is left out (goja never reads it).
//
// Shifting every column by one touches few VLQ values: generated columns
// restart at each line, so only the first segment of each line changes;
// original columns are relative across the whole map, so only the first
// segment that has one changes.
func engineSourceMap(std []byte) ([]byte, error) {
	var m struct {
		Version  int      `json:"version"`
		File     string   `json:"file,omitempty"`
		Sources  []string `json:"sources"`
		Names    []string `json:"names"`
		Mappings string   `json:"mappings"`
	}
	if err := json.Unmarshal(std, &m); err != nil {
		return nil, fmt.Errorf("reading the bundle's source map: %w", err)
	}
	if m.Version != 3 {
		return nil, fmt.Errorf("reading the bundle's source map: version %d, want 3", m.Version)
	}
	mappings, err := shiftColumns(m.Mappings)
	if err != nil {
		return nil, fmt.Errorf("reading the bundle's source map: %w", err)
	}
	m.Mappings = mappings
	if m.Names == nil {
		m.Names = []string{}
	}
	return json.Marshal(m)
}

// shiftColumns adds one to every generated and original column of a v3
// "mappings" string.
func shiftColumns(mappings string) (string, error) {
	var b strings.Builder
	b.Grow(len(mappings) + 64)
	origDone := false
	lines := strings.Split(mappings, ";")
	for li, line := range lines {
		if li > 0 {
			b.WriteByte(';')
		}
		for si, seg := range strings.Split(line, ",") {
			if si > 0 {
				b.WriteByte(',')
			}
			if seg == "" {
				continue
			}
			if si > 0 && origDone {
				b.WriteString(seg)
				continue
			}
			vals, err := decodeSegment(seg)
			if err != nil {
				return "", fmt.Errorf("line %d: %w", li+1, err)
			}
			if si == 0 {
				vals[0]++
			}
			if len(vals) >= 4 && !origDone {
				vals[3]++
				origDone = true
			}
			for _, v := range vals {
				writeVLQ(&b, v)
			}
		}
	}
	return b.String(), nil
}

const vlqChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

var vlqIndex = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(vlqChars); i++ {
		t[vlqChars[i]] = int8(i)
	}
	return t
}()

func decodeSegment(seg string) ([]int, error) {
	var vals []int
	for i := 0; i < len(seg); {
		v, shift := 0, 0
		for {
			if i >= len(seg) {
				return nil, fmt.Errorf("truncated VLQ in %q", seg)
			}
			d := vlqIndex[seg[i]]
			if d < 0 {
				return nil, fmt.Errorf("bad VLQ character %q", seg[i])
			}
			i++
			v |= int(d&31) << shift
			shift += 5
			if d&32 == 0 {
				break
			}
		}
		if v&1 != 0 {
			v = -(v >> 1)
		} else {
			v >>= 1
		}
		vals = append(vals, v)
	}
	if n := len(vals); n != 1 && n != 4 && n != 5 {
		return nil, fmt.Errorf("segment %q has %d fields", seg, n)
	}
	return vals, nil
}

func writeVLQ(b *strings.Builder, v int) {
	u := v << 1
	if v < 0 {
		u = (-v << 1) | 1
	}
	for {
		d := u & 31
		u >>= 5
		if u != 0 {
			d |= 32
		}
		b.WriteByte(vlqChars[d])
		if u == 0 {
			return
		}
	}
}
