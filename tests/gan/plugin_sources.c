/* The plugin's sources compiled into the test binary (the plugin itself is
 * a MODULE, so its internal functions are tested from here). plugin.c, the
 * entry point, is left out. */
#include "../../plugins/gan/cmd_gan_sample.c"
#include "../../plugins/gan/gan_checkpoints.c"
#include "../../plugins/gan/gan_models.c"
#include "../../plugins/gan/gan_options.c"
#include "../../plugins/gan/gan_pictures.c"
#include "../../plugins/gan/gan_sample.c"
#include "../../plugins/gan/gan_score.c"
#include "../../plugins/gan/gan_score_math.c"
#include "../../plugins/gan/gan_trainer.c"
