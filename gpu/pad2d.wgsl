// pad2d: out [n,c,h+2·pad,stride] = in [n,c,h,w] surrounded by pad zeros on every side, rows
// stride ≥ w+2·pad floats long (zeros past w+2·pad). It lets conv_forward.wgsl compute conv2's
// input gradient as a full convolution without bounds checks, with vec4 loads.
//
// Barrier-free; a thread writes 4 neighbouring values of one output row (SwiftShader's cost per
// invocation is high, so each does several values). Threads: n·c·(h+2·pad)·ceil(stride/4).
//
// Bindings: 0 Step, 1 Params, 2 src, 3 out.
struct Params {
  c: u32,
  h: u32,
  w: u32,
  pad: u32,
  stride: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let pw = prm.stride;
  let ph = prm.h + 2u * prm.pad;
  let pwq = (pw + 3u) / 4u;
  let t = flat_id(wid, nwg, lid, 64u);
  if (t >= st.n * prm.c * ph * pwq) {
    return;
  }
  let x0 = (t % pwq) * 4u;
  let row = t / pwq; // (n·c)·ph + y
  let y = row % ph;
  let nc = row / ph;
  let inrow = y >= prm.pad && y < prm.pad + prm.h;
  let sr = (nc * prm.h + y - prm.pad) * prm.w;
  for (var j = 0u; j < 4u; j++) {
    let x = x0 + j;
    if (x < pw) {
      var v: f32 = 0.0;
      if (inrow && x >= prm.pad && x < prm.pad + prm.w) { // 0 in the pad and past w+2·pad
        v = src[sr + x - prm.pad];
      }
      out[row * pw + x] = v;
    }
  }
}
