package mnist

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// IDX magic numbers: two zero bytes, the element type (0x08 = unsigned byte) and the number of dimensions.
const (
	imagesMagic = 0x00000803
	labelsMagic = 0x00000801
)

// Side is the height and width of an MNIST digit.
const Side = 28

// initialCap bounds the buffer reserved up front from a header's count, so that a corrupt header
// claiming billions of images cannot make the parser allocate gigabytes before it finds the data missing.
const initialCap = 64 << 20

// ParseImages reads an uncompressed IDX3 image file: magic 0x00000803, then big-endian uint32 n, rows,
// cols, then n*rows*cols pixel bytes. Only 28×28 images are accepted. The reader must end right after
// the pixels.
func ParseImages(r io.Reader) (n, rows, cols int, pix []byte, err error) {
	var hdr [16]byte
	if err := readHeader(r, "image", hdr[:], imagesMagic); err != nil {
		return 0, 0, 0, nil, err
	}
	un, ur, uc := binary.BigEndian.Uint32(hdr[4:]), binary.BigEndian.Uint32(hdr[8:]), binary.BigEndian.Uint32(hdr[12:])
	if ur != Side || uc != Side {
		return 0, 0, 0, nil, fmt.Errorf("mnist: image file holds %d×%d images, want %d×%d: it is not an MNIST digit file (EMNIST or another IDX data set?); use the canonical MNIST files", ur, uc, Side, Side)
	}
	pix, err = readBody(r, "image", int64(un)*Side*Side)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	return int(un), Side, Side, pix, nil
}

// ParseLabels reads an uncompressed IDX1 label file: magic 0x00000801, big-endian uint32 n, then n
// label bytes, each 0..9. The reader must end right after the labels.
func ParseLabels(r io.Reader) ([]byte, error) {
	var hdr [8]byte
	if err := readHeader(r, "label", hdr[:], labelsMagic); err != nil {
		return nil, err
	}
	labels, err := readBody(r, "label", int64(binary.BigEndian.Uint32(hdr[4:])))
	if err != nil {
		return nil, err
	}
	for i, l := range labels {
		if l > 9 {
			return nil, fmt.Errorf("mnist: label %d is %d, want a digit 0..9: the label file is corrupt; download it again", i, l)
		}
	}
	return labels, nil
}

// readHeader fills hdr, checking the magic number as soon as its 4 bytes are in so that a file of the
// wrong kind is reported as such even when it is shorter than the header.
func readHeader(r io.Reader, kind string, hdr []byte, want uint32) error {
	got, err := io.ReadFull(r, hdr[:4])
	if err != nil {
		return headerError(kind, len(hdr), got, err)
	}
	if magic := binary.BigEndian.Uint32(hdr); magic != want {
		return magicError(kind, want, magic)
	}
	more, err := io.ReadFull(r, hdr[4:])
	if err != nil {
		return headerError(kind, len(hdr), got+more, err)
	}
	return nil
}

func headerError(kind string, want, got int, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("mnist: %s file is truncated: its IDX header needs %d bytes, got %d; the file is incomplete or empty, download it again", kind, want, got)
	}
	return fmt.Errorf("mnist: reading the %s file header: %w", kind, err)
}

func magicError(kind string, want, got uint32) error {
	return fmt.Errorf("mnist: %s file starts with magic number 0x%08x, want 0x%08x: it is probably not an MNIST IDX %s file (swapped images/labels, still compressed, or corrupt)", kind, got, want, kind)
}

// readBody reads exactly size bytes and then requires the end of the stream. Reading on to the end
// also makes a gzip reader verify its CRC-32 and length trailer.
func readBody(r io.Reader, kind string, size int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(size, initialCap)) + bytes.MinRead)
	_, err := buf.ReadFrom(io.LimitReader(r, size))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("mnist: reading the %s file: %w", kind, err)
	}
	if got := int64(buf.Len()); got < size {
		return nil, fmt.Errorf("mnist: %s file is truncated: its header promises %d data bytes, got %d; the file is incomplete, download it again", kind, size, got)
	}
	var extra [1]byte
	switch k, err := io.ReadFull(r, extra[:]); {
	case k > 0:
		return nil, fmt.Errorf("mnist: %s file has data after the %d bytes its header promises: it is corrupt or not an MNIST IDX file; download it again", kind, size)
	case err != io.EOF:
		return nil, fmt.Errorf("mnist: reading the end of the %s file: %w", kind, err)
	}
	return buf.Bytes()[:size:size], nil
}

// Decode gunzips and parses one split: an IDX3 image file and its IDX1 label file, both gzip-compressed
// as distributed. It checks that both hold the same number of items.
func Decode(imagesGz, labelsGz []byte) (*Set, error) {
	return decodeNamed("images", imagesGz, "labels", labelsGz)
}

func decodeNamed(imagesName string, imagesGz []byte, labelsName string, labelsGz []byte) (*Set, error) {
	var s Set
	err := gunzip(imagesName, imagesGz, func(r io.Reader) (err error) {
		s.N, s.Rows, s.Cols, s.Images, err = ParseImages(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = gunzip(labelsName, labelsGz, func(r io.Reader) (err error) {
		s.Labels, err = ParseLabels(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(s.Labels) != s.N {
		return nil, fmt.Errorf("mnist: %s holds %d images but %s holds %d labels: the two files are from different splits (train vs t10k) or one is corrupt", imagesName, s.N, labelsName, len(s.Labels))
	}
	return &s, nil
}

func gunzip(name string, data []byte, parse func(io.Reader) error) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("mnist: %s is not a valid gzip file (%v): pass the .gz file as distributed, not an unpacked or partial one", name, err)
	}
	if err := parse(zr); err != nil {
		var corrupt flate.CorruptInputError
		if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.As(err, &corrupt) {
			return fmt.Errorf("mnist: %s: the gzip data is corrupt (%v); download the file again", name, err)
		}
		return fmt.Errorf("%w (in %s)", err, name)
	}
	return nil
}
