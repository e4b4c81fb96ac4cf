#!/usr/bin/env bash
# The peer of `hopsdesk cluster create` in bench/provision: the same install done the way an
# admin's script would do it with OpenSSH alone, one host after another. Per host: one `scp`
# (the agent bundle and that host's etc/ files, which bench/provision copied off the host
# after Hopsdesk's warm-up install) and one `ssh` that verifies the bundle's SHA-256, unpacks
# it under ~/.hopsdesk/agent/<version>/, puts etc/ in place, switches the `current` link and
# starts the supervisor detached. Then one `ssh` to the head that polls its client API until
# every host is registered and healthy.
#
# Environment: SSH_CONFIG (OpenSSH client config with a Host entry per host), BUNDLE (the
# .tar.gz), BUNDLE_SHA256, AGENT_VERSION, ETC_DIR (holds <host>.tar, that host's etc/),
# HOSTS (host names, the head first), WAIT_S (how long to wait for health; default 60).
# A line `step <what>` goes to stderr before each step, so the caller can time the steps.
set -euo pipefail

read -r -a hosts <<<"$HOSTS"
head=${hosts[0]}
bundle_name=$(basename "$BUNDLE")

for host in "${hosts[@]}"; do
  echo "step scp $host" >&2
  scp -q -F "$SSH_CONFIG" "$BUNDLE" "$ETC_DIR/$host.tar" "$host:"
  echo "step ssh $host" >&2
  # Expanded here: the version, checksum and file names. Expanded on the host: $HOME.
  ssh -F "$SSH_CONFIG" "$host" "set -e; umask 077; cd
    echo '$BUNDLE_SHA256  $bundle_name' | sha256sum -c --quiet -
    mkdir -p .hopsdesk/agent/$AGENT_VERSION .hopsdesk/data .hopsdesk/log
    tar -xzf '$bundle_name' -C .hopsdesk/agent/$AGENT_VERSION
    tar -xf '$host.tar' -C .hopsdesk
    rm -f '$bundle_name' '$host.tar'
    ln -sfn $AGENT_VERSION .hopsdesk/agent/current
    a=\$HOME/.hopsdesk/agent/current
    setsid nohup \$a/node \$a/hopsdesk-agent.mjs supervise --config \$HOME/.hopsdesk/etc/agent.json \
      >>\$HOME/.hopsdesk/log/agent.log 2>&1 </dev/null &"
done

echo "step wait $head" >&2
# One connection; the loop runs on the head: the run file gives the client API's port,
# tokens.json the client token.
ssh -F "$SSH_CONFIG" "$head" "cd; end=\$((\$(date +%s) + ${WAIT_S:-60}))
  while [ \$(date +%s) -lt \$end ]; do
    if [ -s .hopsdesk/data/run.json ]; then
      port=\$(sed -n 's/.*\"port\": *\([0-9]*\).*/\1/p' .hopsdesk/data/run.json | head -n 1)
      token=\$(sed -n 's/.*\"client\": *\"\([^\"]*\)\".*/\1/p' .hopsdesk/etc/tokens.json)
      healthy=\$(curl -s -H \"Authorization: Bearer \$token\" http://127.0.0.1:\$port/v1/cluster/hosts | grep -o '\"state\":\"healthy\"' | wc -l)
      [ \"\$healthy\" -ge ${#hosts[@]} ] && exit 0
    fi
    sleep 0.2
  done
  echo 'the hosts did not all report healthy in time' >&2; exit 1"
