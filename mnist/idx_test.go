package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"strings"
	"testing"
)

// idx builds an IDX file: magic, the big-endian dimensions, then body.
func idx(magic uint32, dims []uint32, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, body...)
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// digits returns n synthetic 28×28 images whose pixel bytes vary with position and index.
func digits(n int) []byte {
	pix := make([]byte, n*Side*Side)
	for i := range pix {
		pix[i] = byte(i*7 + i/Side*13)
	}
	return pix
}

func TestParseImages(t *testing.T) {
	good := digits(3)
	tests := []struct {
		name string
		file []byte
		want string // substring of the error; "" = success
	}{
		{"ok", idx(imagesMagic, []uint32{3, 28, 28}, good), ""},
		{"empty set", idx(imagesMagic, []uint32{0, 28, 28}, nil), ""},
		{"empty file", nil, "header needs 16 bytes, got 0"},
		{"short header", idx(imagesMagic, []uint32{3}, nil), "header needs 16 bytes, got 8"},
		{"label magic", idx(labelsMagic, []uint32{3, 28, 28}, good), "magic number 0x00000801, want 0x00000803"},
		{"gzip bytes", append([]byte{0x1f, 0x8b, 8, 0}, make([]byte, 20)...), "magic number 0x1f8b0800, want 0x00000803: it is probably not an MNIST IDX image file"},
		{"wrong rows", idx(imagesMagic, []uint32{3, 32, 28}, good), "32×28 images, want 28×28"},
		{"wrong cols", idx(imagesMagic, []uint32{1, 28, 27}, good[:28*27]), "28×27 images, want 28×28"},
		{"truncated", idx(imagesMagic, []uint32{3, 28, 28}, good[:1000]), "promises 2352 data bytes, got 1000"},
		{"huge count", idx(imagesMagic, []uint32{0xffffffff, 28, 28}, good), "promises 3367254359280 data bytes, got 2352"},
		{"trailing", idx(imagesMagic, []uint32{2, 28, 28}, good), "data after the 1568 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, rows, cols, pix, err := ParseImages(bytes.NewReader(tc.file))
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one containing %q", err, tc.want)
				}
				if pix != nil {
					t.Errorf("pixels returned with an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rows != 28 || cols != 28 || len(pix) != n*28*28 || !bytes.Equal(pix, tc.file[16:]) {
				t.Errorf("got n=%d %d×%d, %d bytes (equal %v)", n, rows, cols, len(pix), bytes.Equal(pix, tc.file[16:]))
			}
		})
	}
}

func TestParseLabels(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"ok", idx(labelsMagic, []uint32{4}, []byte{0, 9, 5, 3}), ""},
		{"short header", []byte{0, 0, 8, 1, 0}, "header needs 8 bytes, got 5"},
		{"image magic", idx(imagesMagic, []uint32{4}, []byte{0, 9, 5, 3}), "magic number 0x00000803, want 0x00000801"},
		{"truncated", idx(labelsMagic, []uint32{6}, []byte{0, 9, 5, 3}), "promises 6 data bytes, got 4"},
		{"trailing", idx(labelsMagic, []uint32{3}, []byte{0, 9, 5, 3}), "data after the 3 bytes"},
		{"label 10", idx(labelsMagic, []uint32{4}, []byte{0, 9, 10, 3}), "label 2 is 10, want a digit 0..9"},
		{"label 255", idx(labelsMagic, []uint32{1}, []byte{255}), "label 0 is 255"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			labels, err := ParseLabels(bytes.NewReader(tc.file))
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one containing %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(labels, tc.file[8:]) {
				t.Errorf("labels %v, want %v", labels, tc.file[8:])
			}
		})
	}
}

func TestDecode(t *testing.T) {
	pix := digits(3)
	images := gz(t, idx(imagesMagic, []uint32{3, 28, 28}, pix))
	labels := gz(t, idx(labelsMagic, []uint32{3}, []byte{7, 2, 1}))

	s, err := Decode(images, labels)
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 3 || s.Rows != 28 || s.Cols != 28 || !bytes.Equal(s.Images, pix) || !bytes.Equal(s.Labels, []byte{7, 2, 1}) {
		t.Fatalf("decoded %d %d×%d labels %v", s.N, s.Rows, s.Cols, s.Labels)
	}

	corrupt := bytes.Clone(images)
	corrupt[len(corrupt)-6] ^= 0xff // inside the CRC-32 trailer
	tests := []struct {
		name           string
		images, labels []byte
		want           string
	}{
		{"not gzip", idx(imagesMagic, []uint32{3, 28, 28}, pix), labels, "images is not a valid gzip file"},
		{"labels not gzip", images, []byte("hello"), "labels is not a valid gzip file"},
		{"bad crc", corrupt, labels, "images: the gzip data is corrupt"},
		{"truncated gzip", images[:len(images)/2], labels, "truncated"},
		{"count mismatch", images, gz(t, idx(labelsMagic, []uint32{2}, []byte{7, 2})), "3 images but labels holds 2 labels"},
		{"swapped", labels, images, "want 0x00000803"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Decode(tc.images, tc.labels)
			if err == nil || !strings.Contains(err.Error(), tc.want) || s != nil {
				t.Fatalf("Decode = %v, %v; want an error containing %q", s, err, tc.want)
			}
		})
	}
}

func FuzzParseImages(f *testing.F) {
	f.Add(idx(imagesMagic, []uint32{1, 28, 28}, digits(1)))
	f.Add(idx(imagesMagic, []uint32{2, 28, 28}, digits(1)))
	f.Add(idx(imagesMagic, []uint32{0xffffffff, 28, 28}, nil))
	f.Add(idx(imagesMagic, []uint32{1, 0, 0}, nil))
	f.Add([]byte{0, 0, 8, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		n, rows, cols, pix, err := ParseImages(bytes.NewReader(data))
		if err != nil {
			return
		}
		if rows != Side || cols != Side || len(pix) != n*rows*cols || len(data) != 16+len(pix) {
			t.Fatalf("accepted n=%d %d×%d with %d pixel bytes from %d bytes", n, rows, cols, len(pix), len(data))
		}
	})
}

func FuzzParseLabels(f *testing.F) {
	f.Add(idx(labelsMagic, []uint32{3}, []byte{1, 2, 3}))
	f.Add(idx(labelsMagic, []uint32{3}, []byte{1, 20, 3}))
	f.Add(idx(labelsMagic, []uint32{0xffffffff}, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, err := ParseLabels(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(data) != 8+len(labels) {
			t.Fatalf("accepted %d labels from %d bytes", len(labels), len(data))
		}
		for _, l := range labels {
			if l > 9 {
				t.Fatalf("accepted label %d", l)
			}
		}
	})
}
