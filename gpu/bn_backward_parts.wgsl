// bn_backward_parts: finishes the reduction half of BatchNorm's backward pass for a conv tail
// (tileTail.backSums left per-tile partial sums): per channel, the sums over the batch's n·spt
// slices, into sums (for bn_backward_apply / tileTail.back) and the γ/β gradients.
//
//   parts[(s·c + ch)·2] = Σ g over slice s, parts[… + 1] = Σ g·x̂
//   sums[ch] = Σ g, sums[c + ch] = Σ g·x̂;  ∂L/∂γ = Σ g·x̂, ∂L/∂β = Σ g  (into the gradient buffer)
//
// One workgroup of 64 threads per channel: strided partial sums and a tree reduction.
//
// Bindings: 0 Step, 1 Params, 2 parts, 3 sums (out), 4 grads (out).
struct Params {
  c: u32,
  spi: u32,
  gamma_off: u32,
  beta_off: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> parts: array<f32>;
@group(0) @binding(3) var<storage, read_write> sums: array<f32>;
@group(0) @binding(4) var<storage, read_write> grads: array<f32>;

var<workgroup> red: array<vec2<f32>, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let ch = wid.x;
  let slices = st.n * prm.spi;
  var s = vec2<f32>(0.0);
  for (var i = lid; i < slices; i += 64u) {
    let o = (i * prm.c + ch) * 2u;
    s += vec2<f32>(parts[o], parts[o + 1u]);
  }
  red[lid] = s;
  workgroupBarrier();
  for (var k = 32u; k > 0u; k >>= 1u) {
    if (lid < k) {
      red[lid] += red[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let r = red[0];
    sums[ch] = r.x;
    sums[prm.c + ch] = r.y;
    grads[prm.gamma_off + ch] = r.y;
    grads[prm.beta_off + ch] = r.x;
  }
}
