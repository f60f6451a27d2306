"""What every cog uses: the gate before paid work, moving pictures, who may see which
generation, the persistent buttons and the actions registry (`bot.actions`) they run."""
