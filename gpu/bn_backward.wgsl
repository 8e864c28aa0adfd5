// bn_backward: BatchNorm's training-mode backward pass, reduction half, fused with the backward
// pass of the layer's dropout → ReLU → [pool] tail.
//
//   z [n,c,h,w] (BN input); μ, σ² from bn_stats; x̂ = (z − μ)/sqrt(σ² + 1e-5)
//   g = ∂L/∂(BN output), recomputed from gin:
//     mode 0: g = gin                                          (bn0: nothing follows but conv1)
//     mode 1: pool: g[e] = gin[q]·scale where e is window q's argmax and out[q] > 0, else 0
//     mode 2: g[e] = gin[e]·scale where out[e] > 0 (ReLU output), else 0
//   (scale is the dropout factor, 1 without dropout; out > 0 implies the element was kept)
//   sums[ch] = Σ g, sums[c + ch] = Σ g·x̂;  ∂L/∂γ = Σ g·x̂, ∂L/∂β = Σ g  (into the gradient buffer)
// bn_backward_apply.wgsl then writes ∂L/∂z. In mode 1 the sums run over pooled outputs, a quarter
// of the elements, since every other element has g = 0.
//
// One workgroup of 64 threads per channel; strided partial sums and a tree reduction.
//
// Bindings: 0 Step, 1 Params, 2 gin, 3 out, 4 argmax, 5 z, 6 stats, 7 sums (out), 8 grads (out).
struct Params {
  c: u32,
  h: u32,
  w: u32,
  gamma_off: u32,
  beta_off: u32,
  mode: u32,
  scale: f32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> gin: array<f32>;
@group(0) @binding(3) var<storage, read> out: array<f32>;
@group(0) @binding(4) var<storage, read> argmax: array<u32>;
@group(0) @binding(5) var<storage, read> z: array<f32>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;
@group(0) @binding(7) var<storage, read_write> sums: array<f32>;
@group(0) @binding(8) var<storage, read_write> grads: array<f32>;

var<workgroup> red: array<vec2<f32>, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let ch = wid.x;
  let hw = prm.h * prm.w;
  let mean = stats[ch];
  let inv = 1.0 / sqrt(stats[prm.c + ch] + 1e-5);
  var s = vec2<f32>(0.0);
  if (prm.mode == 1u) {
    let pw = prm.w / 2u;
    let phw = (prm.h / 2u) * pw;
    let cnt = st.n * phw;
    for (var j = lid; j < cnt; j += 64u) {
      let nn = j / phw;
      let r = j % phw;
      let q = (nn * prm.c + ch) * phw + r;
      if (out[q] > 0.0) {
        let pos = argmax[q];
        let e = ((nn * prm.c + ch) * prm.h + 2u * (r / pw) + pos / 2u) * prm.w + 2u * (r % pw) + pos % 2u;
        let gv = gin[q] * prm.scale;
        s += vec2<f32>(gv, gv * (z[e] - mean) * inv);
      }
    }
  } else {
    let cnt = st.n * hw;
    for (var j = lid; j < cnt; j += 64u) {
      var e = j;
      if (prm.c > 1u) {
        e = ((j / hw) * prm.c + ch) * hw + j % hw;
      }
      var gv = gin[e];
      if (prm.mode == 2u) {
        gv = select(0.0, gv * prm.scale, out[e] > 0.0);
      }
      s += vec2<f32>(gv, gv * (z[e] - mean) * inv);
    }
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
