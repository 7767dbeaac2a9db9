{
  "target_defaults": {
    # Warnings are errors in a git checkout (our work and CI); an install from a package builds with whatever
    # new warnings a newer compiler finds.
    "cflags": ["-Wall", "-Wextra", "<!(node -p \"require('fs').existsSync('.git') ? '-Werror' : '-Wno-error'\")",
               "-Wno-unused-parameter", "-O2", "-D_FORTIFY_SOURCE=3", "-fstack-protector-strong"]
  },
  "targets": [
    {
      "target_name": "baby_docker",
      "sources": [
        "native/addon.cc", "native/cgroup.c", "native/child.c", "native/image_fs.c", "native/linux.c", "native/nat.c", "native/netlink.c", "native/network.c", "native/overlay_attr.c", "native/pty_master.c", "native/sealed_exe.c", "native/state.c",
        "native/text.c", "native/utils.c"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "cflags": ["-ftree-vectorize", "-fvect-cost-model=dynamic"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"]
    },
    {
      "target_name": "baby-docker-shim",
      "type": "executable",
      "sources": [
        "native/shim.c", "native/console.c", "native/container.c", "native/init.c", "native/linux.c", "native/caps.c",
        "native/layer.c", "native/nat.c", "native/netlink.c", "native/netfiles.c", "native/network.c", "native/relay.c", "native/volumes.c", "native/sealed_exe.c", "native/seccomp.c", "native/cgroup.c", "native/state.c", "native/terminal.c",
        "native/user.c", "native/utils.c"
      ],
      # Static: some 4 ms less per start than the dynamic loader's work in every shim.
      "ldflags": ["-static"]
    },
    {
      "target_name": "baby-docker-runc",
      "type": "executable",
      "sources": [
        "native/runc.c", "native/oci_spec.c", "native/oci_json.c", "native/oci_container.c", "native/oci_cgroup.c", "native/device_filter.c", "native/oci_hooks.c", "native/oci_seccomp.c", "native/container.c", "native/init.c", "native/linux.c",
        "native/caps.c", "native/console.c", "native/layer.c", "native/relay.c", "native/volumes.c", "native/sealed_exe.c",
        "native/seccomp.c", "native/cgroup.c", "native/state.c", "native/terminal.c", "native/user.c", "native/utils.c",
        "native/nat.c", "native/netlink.c", "native/netfiles.c", "native/network.c"
      ],
      "libraries": ["-ljson-c", "-lseccomp"]
    },
    {
      "target_name": "bd-layer-view",
      "type": "executable",
      "sources": ["native/layer_view.c", "native/layer.c", "native/utils.c"]
    },
    {
      "target_name": "bd-probe",
      "type": "executable",
      "sources": ["native/probe.c"],
      "ldflags": ["-static"]
    }
  ]
}
