package nncore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// The PyTorch golden file written by tools/golden/gen.py (see its header for the contents).

const goldenVersion = 1

var goldenMagic = []byte("LNLGOLD\x00")

type goldenRecord struct {
	shape []int
	f     []float32
	u     []uint32
}

func readGolden(t *testing.T) map[string]goldenRecord {
	t.Helper()
	data, err := os.ReadFile("testdata/golden.bin")
	if err != nil {
		t.Fatalf("%v (regenerate with /usr/bin/python3 tools/golden/gen.py)", err)
	}
	recs, err := parseGolden(data)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func parseGolden(data []byte) (map[string]goldenRecord, error) {
	if !bytes.HasPrefix(data, goldenMagic) {
		return nil, fmt.Errorf("golden: bad magic")
	}
	r := bytes.NewReader(data[len(goldenMagic):])
	var hdr struct{ Version, Count uint32 }
	if err := binary.Read(r, binary.LittleEndian, &hdr); err != nil {
		return nil, err
	}
	if hdr.Version != goldenVersion {
		return nil, fmt.Errorf("golden: version %d, want %d", hdr.Version, goldenVersion)
	}
	out := map[string]goldenRecord{}
	for i := 0; i < int(hdr.Count); i++ {
		var nl uint16
		if err := binary.Read(r, binary.LittleEndian, &nl); err != nil {
			return nil, err
		}
		name := make([]byte, nl)
		var meta [2]byte
		if _, err := r.Read(name); err != nil {
			return nil, err
		}
		if _, err := r.Read(meta[:]); err != nil {
			return nil, err
		}
		shape := make([]uint32, meta[1])
		if err := binary.Read(r, binary.LittleEndian, shape); err != nil {
			return nil, err
		}
		rec := goldenRecord{}
		n := 1
		for _, d := range shape {
			rec.shape = append(rec.shape, int(d))
			n *= int(d)
		}
		var err error
		switch meta[0] {
		case 'f':
			rec.f = make([]float32, n)
			err = binary.Read(r, binary.LittleEndian, rec.f)
		case 'u':
			rec.u = make([]uint32, n)
			err = binary.Read(r, binary.LittleEndian, rec.u)
		default:
			err = fmt.Errorf("golden: record %q has dtype %q", name, meta[0])
		}
		if err != nil {
			return nil, err
		}
		out[string(name)] = rec
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("golden: %d trailing bytes", r.Len())
	}
	return out, nil
}

func TestGolden(t *testing.T) {
	g := readGolden(t)
	get := func(name string) goldenRecord {
		rec, ok := g[name]
		if !ok {
			t.Fatalf("golden file lacks %s", name)
		}
		return rec
	}
	for _, key := range []string{"standard-bn", "bn-input", "plain", "standard-bn-momentum"} {
		t.Run(key, func(t *testing.T) {
			cfgRec := get(key + "/config").f
			c := DefaultConfig()
			c.Variant = Variant(strings.TrimSuffix(key, "-momentum"))
			c.Seed = uint64(cfgRec[0])
			c.Momentum, c.WeightDecay, c.LR = cfgRec[1], cfgRec[2], cfgRec[3]
			full := c.Momentum == 0
			const n = 8
			st := InitState(c)
			for _, p := range st.Params {
				closeAll(t, "init "+p.Name, p.Data, get(key+"/param_head/"+p.Name).f, 0, 0)
			}
			newGoldenNet := func() *net[float32] {
				m := newNet(newSpec(c), fastKernels, n)
				poisonNet(m)
				if err := m.load(st); err != nil {
					t.Fatal(err)
				}
				copy(m.acts[0], get(key+"/input").f)
				for i, l := range get(key + "/labels").u {
					m.labels[i] = int32(l)
				}
				return m
			}
			if full {
				m := newGoldenNet()
				m.forward(n, true, c.Seed, 0)
				m.zeroGrads()
				sum, _ := m.lossAndGrad(n, true)
				m.backward(n, c.Seed, 0)
				closeAll(t, "logits", m.logits(n), get(key+"/logits").f, 1e-5, 1e-4)
				closeAll(t, "loss", []float32{float32(sum / n)}, get(key+"/loss").f, 1e-6, 1e-5)
				for i, p := range m.s.params {
					closeAll(t, "grad "+p.name, m.pgrads[i], get(key+"/grad/"+p.name).f, 1e-6, 1e-3)
				}
				for i, b := range m.s.buffers {
					closeAll(t, b.name, m.bufs[i], get(key+"/buffer/"+b.name).f, 1e-6, 1e-5)
				}
			}
			m := newGoldenNet()
			var vel [][]float32
			if c.Momentum > 0 {
				for _, p := range m.params {
					vel = append(vel, make([]float32, len(p)))
				}
			}
			want := get(key + "/steps_loss").f
			for s := range 5 {
				sum, _ := m.trainStep(n, c.Seed, uint32(s), vel, c)
				closeAll(t, fmt.Sprintf("step %d loss", s), []float32{float32(sum / n)}, want[s:s+1], 1e-5, 1e-4)
			}
			for i, p := range m.s.params {
				if rec, ok := g[key+"/after/param/"+p.name]; ok {
					closeAll(t, "after "+p.name, m.params[i], rec.f, 1e-5, 1e-3)
				}
			}
			for i, b := range m.s.buffers {
				closeAll(t, "after "+b.name, m.bufs[i], get(key+"/after/buffer/"+b.name).f, 1e-5, 1e-4)
			}
			m.forward(n, false, c.Seed, 5)
			closeAll(t, "eval logits", m.logits(n), get(key+"/after/eval_logits").f, 1e-4, 1e-3)
		})
	}
	t.Run("hash", func(t *testing.T) {
		args, bits := get("hash/args"), get("hash/bits").u
		for i := range bits {
			a := args.u[i*5 : i*5+5]
			seed := uint64(a[0]) | uint64(a[1])<<32
			if got := DropoutBits(seed, a[2], a[3], a[4]); got != bits[i] {
				t.Errorf("DropoutBits(%#x, %d, %d, %#x) = %#x, Python says %#x", seed, a[2], a[3], a[4], got, bits[i])
			}
		}
		ps, thr, scale := get("hash/p").f, get("hash/threshold").u, get("hash/scale").f
		for i, p := range ps {
			if got := DropoutThreshold(p); got != thr[i] {
				t.Errorf("DropoutThreshold(%v) = %d, Python says %d", p, got, thr[i])
			}
			if got := DropoutScale(p); math.Float32bits(got) != math.Float32bits(scale[i]) {
				t.Errorf("DropoutScale(%v) = %v, Python says %v", p, got, scale[i])
			}
		}
	})
}
