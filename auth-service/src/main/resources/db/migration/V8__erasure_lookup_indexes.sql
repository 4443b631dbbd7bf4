-- An erasure looks up invitations and sign-in links by address (the other lookups have their indexes); built
-- without holding up sign-ins and invitations meanwhile.
create index concurrently if not exists invitations_by_email on invitations (email);
create index concurrently if not exists magic_link_challenges_by_email on magic_link_challenges (email);
