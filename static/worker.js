// The training worker: runs trainer.wasm (wasm/trainer) off the page's thread. Messages are
// protocol.Message JSON strings both ways; the Go side installs self.onmessage when it starts.
// Messages that arrive before that are kept and handed over in order.
"use strict";
importScripts("wasm_exec.js");

const early = [];
self.onmessage = (e) => early.push(e);
self.lenetlabEarlyMessages = () => early.splice(0);

(async () => {
  const go = new Go();
  try {
    const { instance } = await WebAssembly.instantiateStreaming(fetch("trainer.wasm"), go.importObject);
    await go.run(instance);
  } catch (e) {
    self.postMessage(JSON.stringify({ v: 1, kind: "error", error: { message: "the training worker could not start: " + e } }));
  }
})();
