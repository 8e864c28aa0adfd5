// bn_backward_apply: BatchNorm's training-mode backward pass, elementwise half:
//
//   dz = γ/sqrt(σ²+1e-5) · (g − Σg/cnt − x̂·Σgx̂/cnt),  x̂ = (z − μ)/sqrt(σ²+1e-5), cnt = n·h·w
//
// with the sums from bn_backward.wgsl and g recomputed from gin as there (mode 0: g = gin; mode 1:
// through the pool's argmax, ReLU and dropout; mode 2: through ReLU and dropout). Barrier-free. In
// mode 1 a thread handles one pooled output and writes its 2×2 window (h and w must be even);
// otherwise a thread handles one element.
//
// Bindings: 0 Step, 1 Params, 2 gin, 3 out, 4 argmax, 5 z, 6 stats, 7 sums, 8 p (γ at gamma_off),
// 9 dz (out).
struct Params {
  c: u32,
  h: u32,
  w: u32,
  gamma_off: u32,
  mode: u32,
  scale: f32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> gin: array<f32>;
@group(0) @binding(3) var<storage, read> out: array<f32>;
@group(0) @binding(4) var<storage, read> argmax: array<u32>;
@group(0) @binding(5) var<storage, read> z: array<f32>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;
@group(0) @binding(7) var<storage, read> sums: array<f32>;
@group(0) @binding(8) var<storage, read> p: array<f32>;
@group(0) @binding(9) var<storage, read_write> dz: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, 64u);
  let hw = prm.h * prm.w;
  let cnt = f32(st.n * hw);
  var per = hw;
  if (prm.mode == 1u) {
    per = hw / 4u;
  }
  if (i >= st.n * prm.c * per) {
    return;
  }
  let ch = (i / per) % prm.c;
  let mean = stats[ch];
  let inv = 1.0 / sqrt(stats[prm.c + ch] + 1e-5);
  let k = p[prm.gamma_off + ch] * inv;
  let mg = sums[ch] / cnt;
  let mgx = sums[prm.c + ch] / cnt * inv;
  if (prm.mode == 1u) {
    let pw = prm.w / 2u;
    let r = i % per;
    let e0 = ((i / per) * prm.h + 2u * (r / pw)) * prm.w + 2u * (r % pw);
    var pos = 4u;
    if (out[i] > 0.0) {
      pos = argmax[i];
    }
    let gq = gin[i] * prm.scale;
    let e = vec4<u32>(e0, e0 + 1u, e0 + prm.w, e0 + prm.w + 1u);
    for (var j = 0u; j < 4u; j++) {
      let gv = select(0.0, gq, pos == j);
      dz[e[j]] = k * (gv - mg - (z[e[j]] - mean) * mgx);
    }
    return;
  }
  var gv = gin[i];
  if (prm.mode == 2u) {
    gv = select(0.0, gv * prm.scale, out[i] > 0.0);
  }
  dz[i] = k * (gv - mg - (z[i] - mean) * mgx);
}
