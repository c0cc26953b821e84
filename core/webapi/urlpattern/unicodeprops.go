package urlpattern

import (
	"sync"
	"unicode"
)

// Unicode property escapes (\p{…}, \P{…}) resolved from the Go standard
// library's tables. Supported: General_Category values (short and long
// names, bare or as gc= / General_Category=), Script values by their long
// names (sc= / Script=), and the binary properties Go has tables for or that
// derive from them. Script_Extensions and properties of strings are not
// supported and fail to compile, as an unknown name does.

var gcAliases = map[string]string{
	"Other": "C", "Control": "Cc", "cntrl": "Cc", "Format": "Cf", "Unassigned": "Cn",
	"Private_Use": "Co", "Surrogate": "Cs", "Letter": "L", "Cased_Letter": "LC",
	"Lowercase_Letter": "Ll", "Modifier_Letter": "Lm", "Other_Letter": "Lo",
	"Titlecase_Letter": "Lt", "Uppercase_Letter": "Lu", "Mark": "M", "Combining_Mark": "M",
	"Spacing_Mark": "Mc", "Enclosing_Mark": "Me", "Nonspacing_Mark": "Mn", "Number": "N",
	"Decimal_Number": "Nd", "digit": "Nd", "Letter_Number": "Nl", "Other_Number": "No",
	"Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc", "Dash_Punctuation": "Pd",
	"Close_Punctuation": "Pe", "Final_Punctuation": "Pf", "Initial_Punctuation": "Pi",
	"Other_Punctuation": "Po", "Open_Punctuation": "Ps", "Symbol": "S", "Currency_Symbol": "Sc",
	"Modifier_Symbol": "Sk", "Math_Symbol": "Sm", "Other_Symbol": "So", "Separator": "Z",
	"Line_Separator": "Zl", "Paragraph_Separator": "Zp", "Space_Separator": "Zs",
}

var binaryAliases = map[string]string{
	"AHex": "ASCII_Hex_Digit", "Alpha": "Alphabetic", "Bidi_C": "Bidi_Control", "Dep": "Deprecated",
	"Dia": "Diacritic", "Ext": "Extender", "Hex": "Hex_Digit", "IDC": "ID_Continue", "IDS": "ID_Start",
	"IDSB": "IDS_Binary_Operator", "IDST": "IDS_Trinary_Operator", "Ideo": "Ideographic",
	"Join_C": "Join_Control", "LOE": "Logical_Order_Exception", "Lower": "Lowercase",
	"NChar": "Noncharacter_Code_Point", "Pat_Syn": "Pattern_Syntax", "Pat_WS": "Pattern_White_Space",
	"QMark": "Quotation_Mark", "RI": "Regional_Indicator", "STerm": "Sentence_Terminal",
	"SD": "Soft_Dotted", "Term": "Terminal_Punctuation", "UIdeo": "Unified_Ideograph",
	"Upper": "Uppercase", "VS": "Variation_Selector", "space": "White_Space",
}

var (
	assignedOnce sync.Once
	assignedSet  charSet
)

func assigned() charSet {
	assignedOnce.Do(func() {
		var s charSet
		for name, t := range unicode.Categories {
			if len(name) == 2 {
				s = append(s, fromTable(t)...)
			}
		}
		assignedSet = s.normalize()
	})
	return assignedSet
}

// generalCategory returns the set for a General_Category value.
func generalCategory(v string) (charSet, bool) {
	if a, ok := gcAliases[v]; ok {
		v = a
	}
	switch v {
	case "Cn":
		return complement(assigned()), true
	case "C":
		return union(fromTable(unicode.C), complement(assigned())), true
	case "LC":
		return union(union(fromTable(unicode.Lu), fromTable(unicode.Ll)), fromTable(unicode.Lt)), true
	}
	if t, ok := unicode.Categories[v]; ok {
		return fromTable(t), true
	}
	return nil, false
}

// binaryProperty returns the set for a binary property name.
func binaryProperty(v string) (charSet, bool) {
	if a, ok := binaryAliases[v]; ok {
		v = a
	}
	tables := func(ts ...*unicode.RangeTable) charSet {
		var s charSet
		for _, t := range ts {
			s = append(s, fromTable(t)...)
		}
		return s.normalize()
	}
	switch v {
	case "Any":
		return charSet{0, maxRune}, true
	case "ASCII":
		return charSet{0, 0x7F}, true
	case "Assigned":
		return assigned(), true
	case "Alphabetic":
		return tables(unicode.Lu, unicode.Ll, unicode.Lt, unicode.Lm, unicode.Lo, unicode.Nl, unicode.Other_Alphabetic), true
	case "Lowercase":
		return tables(unicode.Ll, unicode.Other_Lowercase), true
	case "Uppercase":
		return tables(unicode.Lu, unicode.Other_Uppercase), true
	case "Math":
		return tables(unicode.Sm, unicode.Other_Math), true
	case "ID_Start":
		return subtract(tables(unicode.L, unicode.Nl, unicode.Other_ID_Start), tables(unicode.Pattern_Syntax, unicode.Pattern_White_Space)), true
	case "ID_Continue":
		return subtract(tables(unicode.L, unicode.Nl, unicode.Other_ID_Start, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue),
			tables(unicode.Pattern_Syntax, unicode.Pattern_White_Space)), true
	}
	if t, ok := unicode.Properties[v]; ok && !isOtherProperty(v) {
		return fromTable(t), true
	}
	return nil, false
}

// isOtherProperty reports the contributory properties Go has tables for
// but ECMAScript does not expose.
func isOtherProperty(v string) bool {
	switch v {
	case "Other_Alphabetic", "Other_Default_Ignorable_Code_Point", "Other_Grapheme_Extend",
		"Other_ID_Continue", "Other_ID_Start", "Other_Lowercase", "Other_Math", "Other_Uppercase",
		"Hyphen", "Prepended_Concatenation_Mark":
		return true
	}
	return false
}

// unicodeProperty resolves the contents of \p{…}.
func unicodeProperty(expr string) (charSet, bool) {
	for i := 0; i < len(expr); i++ {
		if expr[i] != '=' {
			continue
		}
		name, value := expr[:i], expr[i+1:]
		switch name {
		case "General_Category", "gc":
			return generalCategory(value)
		case "Script", "sc":
			if t, ok := unicode.Scripts[value]; ok {
				return fromTable(t), true
			}
		}
		return nil, false
	}
	if s, ok := generalCategory(expr); ok {
		return s, true
	}
	return binaryProperty(expr)
}
