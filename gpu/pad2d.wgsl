// pad2d: out [n,c,h+2·pad,w+2·pad] = in [n,c,h,w] surrounded by pad zeros on every side. It lets
// conv_forward.wgsl compute conv2's input gradient as a full convolution without bounds checks.
//
// One thread per output value, barrier-free.
//
// Bindings: 0 Step, 1 Params, 2 src, 3 out.
struct Params {
  c: u32,
  h: u32,
  w: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let pw = prm.w + 2u * prm.pad;
  let ph = prm.h + 2u * prm.pad;
  let i = flat_id(wid, nwg, lid, 64u);
  if (i >= st.n * prm.c * ph * pw) {
    return;
  }
  let x = i % pw;
  let y = (i / pw) % ph;
  let nc = i / (pw * ph);
  var v: f32 = 0.0;
  if (x >= prm.pad && x < prm.pad + prm.w && y >= prm.pad && y < prm.pad + prm.h) {
    v = src[(nc * prm.h + y - prm.pad) * prm.w + x - prm.pad];
  }
  out[i] = v;
}
