// softmax_xent: softmax cross-entropy per sample, with its gradient, loss and correctness.
//
//   logits [n,classes], labels [n] →
//   lc[2i] = logsumexp(z_i) − z_i[label], lc[2i+1] = 1 if the first maximal logit is the label
//   d[i,:] = (softmax(z_i) − onehot(label_i))/n   (grad = 1), or softmax(z_i) (grad = 0: predict)
// stats_accum.wgsl adds lc into the running sums. One thread per sample, barrier-free.
//
// Bindings: 0 Step, 1 Params, 2 logits, 3 labels, 4 d (out), 5 lc (out).
struct Params {
  classes: u32,
  grad: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read_write> d: array<f32>;
@group(0) @binding(5) var<storage, read_write> lc: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, 64u);
  if (i >= st.n) {
    return;
  }
  let o = i * prm.classes;
  var m = logits[o];
  var arg = 0u;
  for (var j = 1u; j < prm.classes; j++) {
    let v = logits[o + j];
    if (v > m) {
      m = v;
      arg = j;
    }
  }
  var s: f32 = 0.0;
  for (var j = 0u; j < prm.classes; j++) {
    s += exp(logits[o + j] - m);
  }
  let lab = labels[i];
  lc[2u * i] = m + log(s) - logits[o + lab];
  lc[2u * i + 1u] = select(0.0, 1.0, arg == lab);
  let inv_n = 1.0 / f32(st.n);
  for (var j = 0u; j < prm.classes; j++) {
    let q = exp(logits[o + j] - m) / s;
    if (prm.grad != 0u) {
      d[o + j] = (q - select(0.0, 1.0, j == lab)) * inv_n;
    } else {
      d[o + j] = q;
    }
  }
}
