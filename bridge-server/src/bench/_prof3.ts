import { rasterizePolygon } from '@smartdrag/shared';
import { makeTexture } from '../core/textures';
import { warpRegions } from '../core/warp';
import { benchRegionPolygon, BENCH_OPERATIONS } from './warp-bench';
const image = makeTexture('noise', 1024, 1024, 11);
const mask = rasterizePolygon(benchRegionPolygon());
const params = BENCH_OPERATIONS[Number(process.argv[2] ?? 0)]!;
const input = { image, regions: [{ id: 'r', mask }], operations: [{ region: 'r', params }], quality: (process.argv[3] ?? 'preview') as 'preview' };
for (let i=0;i<60;i++) warpRegions(input);
