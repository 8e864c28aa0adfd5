// Package protocol defines the messages the page (ui.wasm) and the training worker (trainer.wasm)
// exchange. Both sides import it, so the wire format is written once.
//
// A message is one JSON object (a Message) posted as a string through postMessage: its version V,
// its Kind and exactly one body field matching the kind. Encode fills V and checks the body; Decode
// rejects another version, an unknown kind or a body that does not match the kind, with an error
// that says which. Metrics use Num, which survives NaN and ±Inf (a diverged run) where plain JSON
// numbers cannot. The package is pure Go (no syscall/js) and is tested natively.
package protocol
