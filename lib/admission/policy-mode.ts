/** How a policy's rejections count: `protect` rejects, `monitor` only reports (Kubewarden's policy mode). */
export type PolicyMode = 'protect' | 'monitor';
