"""One of the two processes of tests/test_distributed.py: joins a two-process JAX cluster
on this machine (coordinator 127.0.0.1:PORT, gloo CPU collectives, one CPU device each)
and trains the data-parallel MLP over both processes' devices with train.fit.

    python tests/_distributed_worker.py PROCESS_ID PORT
"""

import json
import sys

import jax

process_id, port = int(sys.argv[1]), int(sys.argv[2])
jax.config.update("jax_num_cpu_devices", 1)
jax.config.update("jax_cpu_collectives_implementation", "gloo")
jax.distributed.initialize(coordinator_address=f"127.0.0.1:{port}", num_processes=2,
                           process_id=process_id)

from tests.test_distributed import problem, train_mlp  # noqa: E402

params, data = problem()
res = train_mlp(params, data, devices=2)
print(json.dumps({"process": jax.process_index(), "devices": len(jax.devices()),
                  "local_devices": len(jax.local_devices()), "losses": res.losses.tolist()}))
