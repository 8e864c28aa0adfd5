// conv_pack: copies a conv layer's weights into the layout conv_forward.wgsl reads with vec4 loads:
//
//   wpk[(((g·cin + ci)·k + ky)·k + kx)·cbp + j] = weight(co = g·cb + j, ci, ky, kx), 0 for j ≥ cb
//   or co ≥ cout;  weight(co,ci,ky,kx) = p[woff + co·sco + ci·sci + ky·sky + kx·skx]
//
// so the cb weights of one tap for a thread's block of output channels are cbp/4 consecutive vec4
// (cbp = cb rounded up to 4). The strides (u32, wrapping) also express the transposed, flipped
// kernel of the input-gradient pass. Run once per step, after SGD has changed the weights.
// One thread per packed value, barrier-free.
//
// Bindings: 0 Params, 1 p (all parameters), 2 wpk (out).
struct Params {
  cin: u32,
  cout: u32,
  k: u32,
  cb: u32,
  cbp: u32,
  woff: u32,
  sco: u32,
  sci: u32,
  sky: u32,
  skx: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read_write> wpk: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let groups = (prm.cout + prm.cb - 1u) / prm.cb;
  let i = flat_id(wid, nwg, lid, 64u);
  if (i >= groups * prm.cin * prm.k * prm.k * prm.cbp) {
    return;
  }
  let j = i % prm.cbp;
  var t = i / prm.cbp;
  let kx = t % prm.k;
  t = t / prm.k;
  let ky = t % prm.k;
  t = t / prm.k;
  let ci = t % prm.cin;
  let g = t / prm.cin;
  let co = g * prm.cb + j;
  var v: f32 = 0.0;
  if (j < prm.cb && co < prm.cout) {
    v = p[prm.woff + co * prm.sco + ci * prm.sci + ky * prm.sky + kx * prm.skx];
  }
  wpk[i] = v;
}
