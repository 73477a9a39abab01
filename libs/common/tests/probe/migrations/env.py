from qianzhao.common.migrations import run_env

run_env(None)
