//go:build js

package gpu

import (
	"bytes"
	_ "embed"
	"encoding/binary"
)

//go:embed common.wgsl
var commonWGSL string

// program is one WGSL compute program: its source (without the common prelude), its workgroup
// size, and its Params uniform struct (nil if it has none).
type program struct {
	name   string
	src    string
	wg     int
	params any
	noStep bool // the program binds no Step (its bindings start with Params)
}

func (p *program) code() string { return commonWGSL + "\n" + p.src }

// uniformBytes encodes a Params struct of 32-bit fields, padded to 16 bytes.
func uniformBytes(v any) []byte {
	var b bytes.Buffer
	if err := binary.Write(&b, binary.LittleEndian, v); err != nil {
		panic("gpu: uniform: " + err.Error())
	}
	for b.Len()%16 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

// stepUniform is common.wgsl's Step.
type stepUniform struct {
	Step, N, Base, Train uint32
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// grid spreads groups workgroups over a 2-D dispatch (at most 65,535 per dimension).
func grid(groups int) (x, y int) {
	if groups <= 65535 {
		return groups, 1
	}
	y = ceilDiv(groups, 65535)
	return ceilDiv(groups, y), y
}

// bindAt returns bindings 1..n−1 (those after the Step, which builder.op adds) from a map by
// binding index, with nothing bound at the others (the programs of tiletail.go declare only what
// they use).
func bindAt(n int, m map[int]Binding) []Binding {
	bs := make([]Binding, n-1)
	for i, b := range m {
		bs[i-1] = b
	}
	return bs
}
