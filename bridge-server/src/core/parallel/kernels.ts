/** Every module that registers row kernels (imported by the helper threads). */
import '../warp/warp-regions';
import '../fill/patch-match';
