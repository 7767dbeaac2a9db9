/* NAT for the bridge network: IP forwarding on and the bridge's subnet
 * masqueraded out of the host, as Docker does; undone with the bridge. The
 * rule lives in an nftables table of our own, `table ip baby-docker`
 * (given to `nft -f -` on its stdin), or, where nft is absent, in iptables'
 * nat POSTROUTING chain, marked with the comment "baby-docker". */
#ifndef BD_NAT_H
#define BD_NAT_H

#include "utils.h"

#define NAT_TABLE "baby-docker"

/* subnet: "10.88.0.0/24"; state_dir keeps what forwarding was before ("forwarding"). */
int nat_enable(const char *subnet, const char *bridge, const char *state_dir, struct bd_error *err);

/* Remove the rule (none there is no error) and put forwarding back as it was. */
void nat_disable(const char *subnet, const char *bridge, const char *state_dir);

#endif
