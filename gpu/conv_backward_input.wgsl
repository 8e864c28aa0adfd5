// conv_backward_input: dx = ∂L/∂x of y = conv(x, w) + b, given dy (overwrites dx).
//
//   dy [n,cout,oh,ow]   w [cout,cin,k,k] at p[woff..]   dx [n,cin,h,w]
//   dx[n,ci,iy,ix] = Σ_co Σ_ky Σ_kx dy[n,co,iy−ky,ix−kx] · w[co,ci,ky,kx]   (terms inside dy only)
//
// Barrier-free; each thread computes 4 neighbouring columns of one input row, so each weight it
// loads feeds 4 outputs. Threads: n · cin · h · ceil(w/4).
//
// Bindings: 0 Step, 1 Params, 2 dy, 3 p (all parameters), 4 dx (out).
struct Params {
  cin: u32,
  h: u32,
  w: u32,
  cout: u32,
  k: u32,
  oh: u32,
  ow: u32,
  woff: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> p: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let wq = (prm.w + 3u) / 4u;
  var t = flat_id(wid, nwg, lid, 64u);
  if (t >= st.n * prm.cin * prm.h * wq) {
    return;
  }
  let ix0 = (t % wq) * 4u;
  t = t / wq;
  let iy = t % prm.h;
  t = t / prm.h;
  let ci = t % prm.cin;
  let n = t / prm.cin;
  let kk = prm.k * prm.k;
  var acc = vec4<f32>(0.0);
  for (var co = 0u; co < prm.cout; co++) {
    for (var ky = 0u; ky < prm.k; ky++) {
      if (iy < ky || iy - ky >= prm.oh) {
        continue;
      }
      let drow = ((n * prm.cout + co) * prm.oh + iy - ky) * prm.ow;
      let wrow = prm.woff + (co * prm.cin + ci) * kk + ky * prm.k;
      for (var kx = 0u; kx < prm.k; kx++) {
        let wv = p[wrow + kx];
        var d = vec4<f32>(0.0);
        for (var j = 0u; j < 4u; j++) {
          let ox = i32(ix0 + j) - i32(kx);
          if (ox >= 0 && u32(ox) < prm.ow) {
            d[j] = dy[drow + u32(ox)];
          }
        }
        acc += wv * d;
      }
    }
  }
  let orow = ((n * prm.cin + ci) * prm.h + iy) * prm.w;
  for (var j = 0u; j < 4u; j++) {
    if (ix0 + j < prm.w) {
      dx[orow + ix0 + j] = acc[j];
    }
  }
}
