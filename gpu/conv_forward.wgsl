// conv_forward: y = conv(x, w) (+ bias), valid cross-correlation, stride 1. It runs conv1's and
// conv2's forward pass and, on a zero-padded ∂L/∂y with the kernel flipped and transposed, conv2's
// backward pass to its input (∂L/∂x = full convolution of ∂L/∂y with w).
//
//   x [n,cin,h,w]   y [n,cout,oh,ow]
//   weight (co,ci,ky,kx) = p[woff + co·sco + ci·sci + ky·sky + kx·skx]  (u32 arithmetic wraps, so
//   a flipped kernel uses "negative" strides)   bias [cout] at p[boff] when has_bias = 1
//
// Register-blocked and barrier-free: each thread computes a 4×4 block, 4 output channels × 4
// neighbouring output columns of one row, so each input value it loads feeds 4 channels and each
// weight feeds 4 columns. Out-of-range channels and columns are computed on clamped indices and not
// stored. Threads: n · ceil(cout/4) · oh · ceil(ow/4).
//
// Bindings: 0 Step, 1 Params, 2 x, 3 p (all parameters), 4 y (out).
struct Params {
  cin: u32,
  h: u32,
  w: u32,
  cout: u32,
  k: u32,
  oh: u32,
  ow: u32,
  woff: u32,
  sco: u32,
  sci: u32,
  sky: u32,
  skx: u32,
  has_bias: u32,
  boff: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> p: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let owq = (prm.ow + 3u) / 4u;
  let coq = (prm.cout + 3u) / 4u;
  var t = flat_id(wid, nwg, lid, 64u);
  if (t >= st.n * coq * prm.oh * owq) {
    return;
  }
  let ox0 = (t % owq) * 4u;
  t = t / owq;
  let oy = t % prm.oh;
  t = t / prm.oh;
  let co0 = (t % coq) * 4u;
  let n = t / coq;
  var wco: vec4<u32>;
  var oxc: vec4<u32>;
  for (var j = 0u; j < 4u; j++) {
    wco[j] = prm.woff + min(co0 + j, prm.cout - 1u) * prm.sco;
    oxc[j] = min(ox0 + j, prm.ow - 1u);
  }
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var ci = 0u; ci < prm.cin; ci++) {
    for (var ky = 0u; ky < prm.k; ky++) {
      let xr = vec4<u32>(((n * prm.cin + ci) * prm.h + oy + ky) * prm.w) + oxc;
      let wr = ci * prm.sci + ky * prm.sky;
      for (var kx = 0u; kx < prm.k; kx++) {
        let xv = vec4<f32>(x[xr.x + kx], x[xr.y + kx], x[xr.z + kx], x[xr.w + kx]);
        let wk = wr + kx * prm.skx;
        acc0 += p[wco.x + wk] * xv;
        acc1 += p[wco.y + wk] * xv;
        acc2 += p[wco.z + wk] * xv;
        acc3 += p[wco.w + wk] * xv;
      }
    }
  }
  var accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var j = 0u; j < 4u; j++) {
    let c = co0 + j;
    if (c < prm.cout) {
      var b: f32 = 0.0;
      if (prm.has_bias != 0u) {
        b = p[prm.boff + c];
      }
      let orow = ((n * prm.cout + c) * prm.oh + oy) * prm.ow;
      for (var i = 0u; i < 4u; i++) {
        if (ox0 + i < prm.ow) {
          y[orow + ox0 + i] = accs[j][i] + b;
        }
      }
    }
  }
}
