// conv_forward: y = conv(x, w) (+ bias), valid cross-correlation, stride 1. It runs conv1's and
// conv2's forward pass and, on a zero-padded ∂L/∂y with the kernel flipped and transposed, conv2's
// backward pass to its input (∂L/∂x = full convolution of ∂L/∂y with w).
//
//   x [n,cin,h,w]   y [n,cout,oh,ow]   bias [cout] at p[boff] when has_bias = 1
//   weights packed by conv_pack.wgsl (from the parameters, or transposed and flipped for the
//   input gradient): the CB weights of one tap (ci,ky,kx) for a block of output channels are
//   CBP/4 consecutive vec4, loaded with CBP/4 vector loads instead of CB scalar ones
//
// Register-blocked and barrier-free: each thread computes a CB×XW block, CB output channels × XW
// (4 or 8) neighbouring output columns of one row. conv.go expands the template: a line marked
// //#acc once per channel of the block, with $ the channel's index, so that the accumulators stay
// in registers; lines marked //#x4 or //#x8 only for that XW. CB and XW are chosen per layer. Along a kernel row the 4 input values slide by one column
// per kx, so a thread loads 4 + k − 1 inputs per kernel row (not 4·k), and each weight feeds 4
// columns. Input rows outside [ylo, yhi) are known zeros (the padding of the input-gradient form)
// and are skipped. Out-of-range channels and columns are computed on clamped indices and not
// stored. Threads: n · ceil(cout/CB) · oh · ceil(ow/XW).
//
// Bindings: 0 Step, 1 Params, 2 x, 3 p (all parameters, for the bias), 4 wpk (packed weights),
// 5 y (out).
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
  ylo: u32,
  yhi: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
//#s4 @group(0) @binding(2) var<storage, read> x: array<f32>;
//#v4 @group(0) @binding(2) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> p: array<f32>;
@group(0) @binding(4) var<storage, read> wpk: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let owq = (prm.ow + XW - 1u) / XW;
  let coq = (prm.cout + CB - 1u) / CB;
  var t = flat_id(wid, nwg, lid, 64u);
  if (t >= st.n * coq * prm.oh * owq) {
    return;
  }
  let ox0 = (t % owq) * XW;
  t = t / owq;
  let oy = t % prm.oh;
  t = t / prm.oh;
  let co0 = (t % coq) * CB;
  let n = t / coq;
  let xlast = prm.w - 1u;
  let kk = prm.k * prm.k;
  let wg0 = (t % coq) * prm.cin * kk * (CBP / 4u);
  //#acc var acc$ = vec4<f32>(0.0);
  //#x8 //#acc var acc$b = vec4<f32>(0.0);
  for (var ci = 0u; ci < prm.cin; ci++) {
    for (var ky = 0u; ky < prm.k; ky++) {
      let iy = oy + ky;
      if (iy < prm.ylo || iy >= prm.yhi) {
        continue;
      }
      let xr = ((n * prm.cin + ci) * prm.h + iy) * prm.w;
      let wr = wg0 + (ci * kk + ky * prm.k) * (CBP / 4u);
      //#s4 var xv = vec4<f32>(x[xr + min(ox0, xlast)], x[xr + min(ox0 + 1u, xlast)], x[xr + min(ox0 + 2u, xlast)], x[xr + min(ox0 + 3u, xlast)]);
      //#s4 //#x8 var xw = vec4<f32>(x[xr + min(ox0 + 4u, xlast)], x[xr + min(ox0 + 5u, xlast)], x[xr + min(ox0 + 6u, xlast)], x[xr + min(ox0 + 7u, xlast)]);
      //#v4 let xq = (xr + ox0) / 4u;
      //#v4 var xv = x4[xq];
      //#v4 //#x8 var xw = x4[xq + 1u];
      //#v4 //#x8 var xn = x4[xq + 2u];
      //#v4 //#x4 var xn = x4[xq + 1u];
      for (var kx = 0u; kx < prm.k; kx++) {
        if (kx > 0u) {
          //#s4 //#x4 xv = vec4<f32>(xv.yzw, x[xr + min(ox0 + kx + 3u, xlast)]);
          //#x8 xv = vec4<f32>(xv.yzw, xw.x);
          //#s4 //#x8 xw = vec4<f32>(xw.yzw, x[xr + min(ox0 + kx + 7u, xlast)]);
          //#v4 //#x8 xw = vec4<f32>(xw.yzw, xn.x);
          //#v4 //#x4 xv = vec4<f32>(xv.yzw, xn.x);
          //#v4 xn = vec4<f32>(xn.yzw, 0.0);
        }
        let wk = wr + kx * (CBP / 4u);
        //#quad let wq% = wpk[wk + %u];
        //#acc acc$ += wq$Q.$C * xv;
        //#x8 //#acc acc$b += wq$Q.$C * xw;
      }
    }
  }
  var accs = array<vec4<f32>, CB>(
  //#acc acc$,
  );
  //#x8 var accb = array<vec4<f32>, CB>(
  //#x8 //#acc acc$b,
  //#x8 );
  for (var j = 0u; j < CB; j++) {
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
        //#x8 if (ox0 + 4u + i < prm.ow) {
        //#x8   y[orow + ox0 + 4u + i] = accb[j][i] + b;
        //#x8 }
      }
    }
  }
}
