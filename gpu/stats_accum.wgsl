// stats_accum: adds one batch's per-sample loss and correctness (from softmax_xent) to the
// running sums acc = [loss sum, Kahan compensation, correct, count], kept on the GPU so that a
// training step needs no readback; the engine reads and clears acc in TakeTrainStats/Evaluate.
//
// A single thread (n ≤ a few hundred values per batch, once per step).
//
// Bindings: 0 Step, 1 lc [n,2], 2 acc (in/out).
@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<storage, read> lc: array<f32>;
@group(0) @binding(2) var<storage, read_write> acc: array<f32>;

@compute @workgroup_size(1)
fn main() {
  var loss: f32 = 0.0;
  var correct: f32 = 0.0;
  for (var i = 0u; i < st.n; i++) {
    loss += lc[2u * i];
    correct += lc[2u * i + 1u];
  }
  // Kahan summation across batches.
  let y = loss - acc[1];
  let t = acc[0] + y;
  acc[1] = (t - acc[0]) - y;
  acc[0] = t;
  acc[2] += correct;
  acc[3] += f32(st.n);
}
