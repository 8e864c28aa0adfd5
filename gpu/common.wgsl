// Shared prelude, prepended to every program of package gpu.
//
// Step is the per-submission uniform every program binds at @binding(0): the global training step
// (the dropout hash's `step`), the number of images n in this batch (≤ the engine's batch size the
// buffers were made for), the first test image of an evaluation chunk, and train = 1 in a training
// step, 0 in evaluation (running BN statistics, no dropout).
//
// Threads are numbered flat over a 2-D grid of workgroups (gid), so that more than 65,535
// workgroups fit in one dispatch; a program returns early for gid past its thread count.
struct Step {
  step: u32,
  n: u32,
  base: u32,
  train: u32,
}

// mix32 and drop_bits are docs/CONTRACT.md's dropout hash, in wrapping u32 arithmetic.
fn mix32(x0: u32) -> u32 {
  var x = x0;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

fn drop_key(seed32: u32, step: u32, layer: u32) -> u32 {
  return mix32(mix32(mix32(seed32 ^ 0x9e3779b9u) ^ step) ^ (layer * 0x85ebca6bu));
}

fn flat_id(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, wg: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * wg + lid;
}
